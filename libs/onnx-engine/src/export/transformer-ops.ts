// The maths of @imgcap/transformer-blocks written as ONNX nodes. Each helper mirrors one tfjs helper
// (applyDense, LayerNormParts, AttentionParts, FeedForwardParts, residual) so the two stay easy to compare.
import type { GraphBuilder } from '../onnx/graph-builder.js';

/** A trained weight read from a bundle: row-major values and its shape. */
export interface WeightValue {
  values: Float32Array;
  shape: number[];
}

/** The hyperparameters of one encoder or decoder block that change its maths. */
export interface BlockSpec {
  numHeads: number;
  headDim: number;
  epsilon: number;
  /** Pre-norm (`x + body(norm(x))`) instead of post-norm (`norm(x + body(x))`). */
  normalizeFirst: boolean;
}

/** Adds each bundle weight to the graph the first time a node uses it. */
export class GraphWeights {
  private readonly added = new Set<string>();

  constructor(
    private readonly g: GraphBuilder,
    private readonly weights: ReadonlyMap<string, WeightValue>,
  ) {}

  use(name: string): string {
    const weight = this.weights.get(name);
    if (!weight)
      throw new Error(`bundle weight "${name}" not found; the bundle has: ${[...this.weights.keys()].join(', ')}.`);
    if (!this.added.has(name)) {
      this.g.weight(name, weight.values, weight.shape);
      this.added.add(name);
    }
    return name;
  }
}

/** `x · kernel + bias` over the last axis (MatMul broadcasts over the leading axes). */
export function dense(g: GraphBuilder, w: GraphWeights, x: string, prefix: string): string {
  return g.op('Add', [g.op('MatMul', [x, w.use(`${prefix}/kernel`)]), w.use(`${prefix}/bias`)]);
}

export function layerNorm(g: GraphBuilder, w: GraphWeights, x: string, prefix: string, epsilon: number): string {
  return g.op('LayerNormalization', [x, w.use(`${prefix}/gamma`), w.use(`${prefix}/beta`)], {
    axis: -1,
    epsilon: { float: epsilon },
  });
}

/** [b, len, heads·dh] → [b, heads, len, dh]. */
export function splitHeads(g: GraphBuilder, x: string, block: BlockSpec): string {
  const shaped = g.op('Reshape', [x, g.constant([0, 0, block.numHeads, block.headDim], 'int64')]);
  return g.op('Transpose', [shaped], { perm: [0, 2, 1, 3] });
}

/** [b, heads, len, dh] → [b, len, heads·dh]. */
function mergeHeads(g: GraphBuilder, x: string, block: BlockSpec): string {
  const transposed = g.op('Transpose', [x], { perm: [0, 2, 1, 3] });
  return g.op('Reshape', [transposed, g.constant([0, 0, block.numHeads * block.headDim], 'int64')]);
}

/** Query heads, scaled by 1/√dh as Keras (and AttentionParts.projectQuery) does. */
export function projectQuery(g: GraphBuilder, w: GraphWeights, x: string, prefix: string, block: BlockSpec): string {
  return g.op('Mul', [splitHeads(g, dense(g, w, x, `${prefix}/query`), block), g.scalar(1 / Math.sqrt(block.headDim))]);
}

/** Key or value heads [b, heads, len, dh] from the projection named `densePrefix`. */
export function projectHeads(
  g: GraphBuilder,
  w: GraphWeights,
  x: string,
  densePrefix: string,
  block: BlockSpec,
): string {
  return splitHeads(g, dense(g, w, x, densePrefix), block);
}

/**
 * Scaled dot-product attention over projected heads. `maskBias` (0 where visible, −1e9 where not)
 * is added to the logits, as AttentionParts adds `(1 − mask)·−1e9`. Returns the output projection
 * and the softmax weights [b, heads, q, k].
 */
export function attendProjected(
  g: GraphBuilder,
  w: GraphWeights,
  heads: { q: string; k: string; v: string },
  prefix: string,
  block: BlockSpec,
  maskBias: string | null,
): { output: string; scores: string } {
  const logits = g.op('MatMul', [heads.q, g.op('Transpose', [heads.k], { perm: [0, 1, 3, 2] })]);
  const scores = g.op('Softmax', [maskBias ? g.op('Add', [logits, maskBias]) : logits], { axis: -1 });
  const context = g.op('MatMul', [scores, heads.v]);
  return { output: dense(g, w, mergeHeads(g, context, block), `${prefix}/attention_output`), scores };
}

/** Self-attention of a sequence over itself with no mask (the encoder's). */
export function selfAttention(g: GraphBuilder, w: GraphWeights, x: string, prefix: string, block: BlockSpec): string {
  const heads = {
    q: projectQuery(g, w, x, prefix, block),
    k: projectHeads(g, w, x, `${prefix}/key`, block),
    v: projectHeads(g, w, x, `${prefix}/value`, block),
  };
  return attendProjected(g, w, heads, prefix, block, null).output;
}

/** dense(intermediate, relu) → dense(hidden). */
export function feedForward(g: GraphBuilder, w: GraphWeights, x: string, blockPrefix: string): string {
  const hidden = g.op('Relu', [dense(g, w, x, `${blockPrefix}/feedforward_intermediate`)]);
  return dense(g, w, hidden, `${blockPrefix}/feedforward_output`);
}

/** One residual sublayer, post-norm or pre-norm as the block was built (no dropout: inference). */
export function residual(
  g: GraphBuilder,
  w: GraphWeights,
  x: string,
  normPrefix: string,
  block: BlockSpec,
  body: (h: string) => string,
): string {
  if (block.normalizeFirst) return g.op('Add', [x, body(layerNorm(g, w, x, normPrefix, block.epsilon))]);
  return layerNorm(g, w, g.op('Add', [x, body(x)]), normPrefix, block.epsilon);
}
