import { attention, declareAttention } from './attention.js';
import { attentionSpecOf, type BlockSpec } from './block-spec.js';
import { residual } from './sublayers.js';
import type { TensorOps, WeightDeclarer } from './tensor-ops.js';

/**
 * The seed's (the Keras project's) image encoder, layer for layer: `LayerNorm(features) → Dense(embedDim, relu) → x;
 * LayerNorm(x + SelfAttention(x))`. No feed-forward network and no position embedding. Keras attribute → weight path:
 * layernorm_1 → feature_norm, dense_1 → feature_projection, attention_1 → self_attention, layernorm_2 →
 * self_attention_norm. Its spec is post-norm with no residual dropout: the seed adds the attention output as it is.
 */
export function declareSeedEncoderBlock(
  w: WeightDeclarer,
  spec: BlockSpec,
  dims: { channels: number; embedDim: number; kerasLayout: boolean },
): void {
  const { channels, embedDim, kerasLayout } = dims;
  w.layerNorm('feature_norm', channels);
  w.dense('feature_projection', channels, embedDim);
  const sequence = { queryDim: embedDim, keyDim: embedDim, valueDim: embedDim };
  declareAttention(w, 'self_attention', attentionSpecOf(spec), sequence, { kerasLayout });
  w.layerNorm('self_attention_norm', embedDim);
}

/** Image features [batch, cells, channels] → [batch, cells, embedDim]. */
export function seedEncoderBlock<T>(ops: TensorOps<T>, features: T, spec: BlockSpec): T {
  const x = ops.relu(ops.dense(ops.layerNorm(features, 'feature_norm', spec.epsilon), 'feature_projection'));
  return residual(
    ops,
    x,
    'self_attention_norm',
    spec,
    (h) => attention(ops, { query: h, key: h, value: h }, null, 'self_attention', attentionSpecOf(spec)).output,
  );
}
