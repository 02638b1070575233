/**
 * What a block definition is written against. Every block of imgcap is written once, in `./*.ts`, as a function of
 * these operations; `@imgcap/transformer-blocks` runs it on tfjs tensors (training and inference), and
 * `@imgcap/onnx-engine` runs the same function on ONNX graph nodes (export). A new block or a changed sublayer order
 * is one edit, and both engines get it.
 *
 * `T` is whatever the implementation computes with: a tfjs tensor, or the name of an ONNX node output.
 * Weights are named by path (`self_attention/query`); an implementation finds them under its own scope.
 */
export interface TensorOps<T> {
  /** `x · kernel + bias` over the last axis, with the weights `<name>/kernel` and `<name>/bias`. */
  dense(x: T, name: string): T;
  /** Layer normalisation over the last axis with the weights `<name>/gamma` and `<name>/beta`. */
  layerNorm(x: T, name: string, epsilon: number): T;
  add(a: T, b: T): T;
  mul(a: T, b: T): T;
  scale(x: T, factor: number): T;
  /** `1 − x`. */
  complement(x: T): T;
  relu(x: T): T;
  /** Softmax over the last axis. */
  softmax(x: T): T;
  /** Batched product over the last two axes, `a · bᵀ` when `transposeB`. */
  matMul(a: T, b: T, transposeB?: boolean): T;
  /** [batch, len, heads·headDim] → [batch, heads, len, headDim]. */
  splitHeads(x: T, numHeads: number, headDim: number): T;
  /** [batch, heads, len, headDim] → [batch, len, heads·headDim]. */
  mergeHeads(x: T, numHeads: number, headDim: number): T;
  /** Dropout while training; the identity wherever nothing trains (inference, an exported graph). */
  dropout(x: T, rate: number): T;
}

/**
 * How a definition declares its weights, in the order they are created (the order is part of the saved format: seeded
 * initialisation draws per weight index). tfjs creates them; an exporter has them already and declares nothing.
 */
export interface WeightDeclarer {
  /**
   * A projection `[inputDim] → [units]`. `options.stored` gives other shapes with the same row-major values (Keras
   * MultiHeadAttention keeps a heads axis), so Keras's files map 1:1.
   */
  dense(name: string, inputDim: number, units: number, options?: DenseOptions): void;
  /** LayerNorm's gamma (ones) and beta (zeros) of width `dim`. */
  layerNorm(name: string, dim: number): void;
}

export interface DenseOptions {
  /** Shapes other than [inputDim, units] / [units] holding the same row-major values. */
  readonly stored?: { readonly kernel: number[]; readonly bias: number[] };
  /** Default true. */
  readonly useBias?: boolean;
}

/** `self_attention` + `query` → `self_attention/query`; an empty scope adds nothing (a standalone layer's weights). */
export function weightPath(scope: string, name: string): string {
  return scope === '' ? name : `${scope}/${name}`;
}
