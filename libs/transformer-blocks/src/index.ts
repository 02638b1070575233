// Importing this package registers every layer with tf.serialization, so saved models load.
export { LayerNorm, type LayerNormArgs } from './layer-norm.js';
export {
  PositionEmbedding,
  TokenAndPositionEmbedding,
  type PositionEmbeddingArgs,
  type TokenAndPositionEmbeddingArgs,
} from './embeddings.js';
export {
  MultiHeadAttention,
  type MultiHeadAttentionArgs,
  type MultiHeadAttentionCallOptions,
} from './multi-head-attention.js';
export type { TransformerBlockArgs } from './internal/block-parts.js';
export { TransformerEncoderBlock, type TransformerEncoderBlockArgs } from './encoder-block.js';
export {
  TransformerDecoderBlock,
  type DecoderCache,
  type DecoderStepResult,
  type EncoderMemory,
  type TransformerDecoderBlockArgs,
} from './decoder-block.js';
export { SeedEncoderBlock, type SeedEncoderBlockArgs } from './seed-encoder-block.js';
export { seedDropout } from './internal/dropout.js';
export type { BlockSpec } from './definition/block-spec.js';
