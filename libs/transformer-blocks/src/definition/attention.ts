import { weightPath, type TensorOps, type WeightDeclarer } from './tensor-ops.js';

/**
 * Added to the logits of masked positions: exp() of it underflows to exactly 0 in float32. Both engines take it from
 * here, inside `attendProjected`.
 */
export const MASKED_LOGIT = -1e9;

/** The settings of one multi-head attention (Keras MultiHeadAttention's `num_heads`, `key_dim`, `value_dim`). */
export interface AttentionSpec {
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  /** Dropout on the attention weights while training. */
  readonly dropout: number;
}

/** The widths of the query, key and value inputs, which fix the projections' shapes. */
export interface AttentionInputDims {
  readonly queryDim: number;
  readonly keyDim: number;
  readonly valueDim: number;
}

/** The four projections, `query`, `key`, `value`, `attention_output`, under `scope`, in that order. */
export function declareAttention(
  w: WeightDeclarer,
  scope: string,
  spec: AttentionSpec,
  dims: AttentionInputDims,
  layout: { kerasLayout: boolean; useBias?: boolean },
): void {
  const { numHeads, keyDim, valueDim } = spec;
  const { kerasLayout, useBias = true } = layout;
  // Keras: EinsumDense kernels [in, heads, headDim] with biases [heads, headDim]; output [heads, headDim, out].
  const toHeads = (inDim: number, headDim: number) => ({
    useBias,
    stored: kerasLayout ? { kernel: [inDim, numHeads, headDim], bias: [numHeads, headDim] } : undefined,
  });
  w.dense(weightPath(scope, 'query'), dims.queryDim, numHeads * keyDim, toHeads(dims.queryDim, keyDim));
  w.dense(weightPath(scope, 'key'), dims.keyDim, numHeads * keyDim, toHeads(dims.keyDim, keyDim));
  w.dense(weightPath(scope, 'value'), dims.valueDim, numHeads * valueDim, toHeads(dims.valueDim, valueDim));
  w.dense(weightPath(scope, 'attention_output'), numHeads * valueDim, dims.queryDim, {
    useBias,
    stored: kerasLayout ? { kernel: [numHeads, valueDim, dims.queryDim], bias: [dims.queryDim] } : undefined,
  });
}

/**
 * The shape a weight declared by `declareAttention` is multiplied as, from the shape it is stored in: Keras-layout
 * kernels [in, heads, dim] are [in, heads·dim] matrices, `attention_output` kernels [heads, dim, out] are
 * [heads·dim, out], biases [heads, dim] are [heads·dim] — the same row-major values. Other shapes are returned as
 * they are. For engines that read a model's weights by name (the ONNX exporter).
 */
export function multipliedShape(name: string, stored: readonly number[]): number[] {
  const [a, b, c] = stored;
  if (stored.length === 3) return name.endsWith('attention_output/kernel') ? [a! * b!, c!] : [a!, b! * c!];
  if (stored.length === 2 && name.endsWith('/bias')) return [a! * b!];
  return [...stored];
}

/** [batch, len, dim] → query heads [batch, heads, len, keyDim], already scaled by 1/√keyDim as in Keras. */
export function projectQuery<T>(ops: TensorOps<T>, x: T, scope: string, spec: AttentionSpec): T {
  const heads = ops.splitHeads(ops.dense(x, weightPath(scope, 'query')), spec.numHeads, spec.keyDim);
  return ops.scale(heads, 1 / Math.sqrt(spec.keyDim));
}

/** [batch, len, dim] → key heads [batch, heads, len, keyDim]. */
export function projectKey<T>(ops: TensorOps<T>, x: T, scope: string, spec: AttentionSpec): T {
  return ops.splitHeads(ops.dense(x, weightPath(scope, 'key')), spec.numHeads, spec.keyDim);
}

/** [batch, len, dim] → value heads [batch, heads, len, valueDim]. */
export function projectValue<T>(ops: TensorOps<T>, x: T, scope: string, spec: AttentionSpec): T {
  return ops.splitHeads(ops.dense(x, weightPath(scope, 'value')), spec.numHeads, spec.valueDim);
}

export interface Attended<T> {
  /** [batch, queryLen, queryDim] */
  readonly output: T;
  /** Softmax weights per head, [batch, heads, queryLen, keyLen] (before attention dropout). */
  readonly scores: T;
}

/**
 * Scaled dot-product attention over projected heads, then the output projection. `visible` (1 where a query may
 * attend, broadcastable to [batch, heads, queryLen, keyLen]) becomes `(1 − visible)·MASKED_LOGIT` on the logits.
 */
export function attendProjected<T>(
  ops: TensorOps<T>,
  heads: { q: T; k: T; v: T },
  visible: T | null,
  scope: string,
  spec: AttentionSpec,
): Attended<T> {
  const logits = ops.matMul(heads.q, heads.k, true);
  const masked = visible === null ? logits : ops.add(logits, ops.scale(ops.complement(visible), MASKED_LOGIT));
  const scores = ops.softmax(masked);
  const context = ops.matMul(ops.dropout(scores, spec.dropout), heads.v);
  const output = ops.dense(
    ops.mergeHeads(context, spec.numHeads, spec.valueDim),
    weightPath(scope, 'attention_output'),
  );
  return { output, scores };
}

/** Attention from raw query, key and value sequences. */
export function attention<T>(
  ops: TensorOps<T>,
  inputs: { query: T; key: T; value: T },
  visible: T | null,
  scope: string,
  spec: AttentionSpec,
): Attended<T> {
  const heads = {
    q: projectQuery(ops, inputs.query, scope, spec),
    k: projectKey(ops, inputs.key, scope, spec),
    v: projectValue(ops, inputs.value, scope, spec),
  };
  return attendProjected(ops, heads, visible, scope, spec);
}
