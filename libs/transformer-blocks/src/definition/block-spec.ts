import type { AttentionSpec } from './attention.js';

/**
 * Everything that changes a Transformer block's maths, resolved (defaults filled in, the head width known): what the
 * tfjs layers compute with and what the ONNX exporter builds its graphs from. A layer gives its own with `blockSpecOf`.
 */
export interface BlockSpec {
  readonly numHeads: number;
  /** Width of every attention head (keys, queries and values alike). */
  readonly headDim: number;
  /** LayerNorm epsilon. */
  readonly epsilon: number;
  /** Pre-norm (`x + body(norm(x))`) instead of post-norm (`norm(x + body(x))`). */
  readonly normalizeFirst: boolean;
  /** Dropout on each residual branch while training. */
  readonly residualDropout: number;
  /** Dropout on the attention weights while training. */
  readonly attentionDropout: number;
  /** Dropout between the feed-forward network's two layers while training. */
  readonly feedForwardDropout: number;
  /** Dropout on the block's output, after its last LayerNorm, while training. */
  readonly outputDropout: number;
}

/** The attention settings of a block's attention sublayers. */
export function attentionSpecOf(block: BlockSpec): AttentionSpec {
  return { numHeads: block.numHeads, keyDim: block.headDim, valueDim: block.headDim, dropout: block.attentionDropout };
}
