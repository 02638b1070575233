import { attention, declareAttention } from './attention.js';
import { attentionSpecOf, type BlockSpec } from './block-spec.js';
import { declareFeedForward, feedForward, residual } from './sublayers.js';
import type { TensorOps, WeightDeclarer } from './tensor-ops.js';

/** imgcap's encoder block (keras-hub's TransformerEncoder): self-attention, then feed-forward, each residual. */
export function declareEncoderBlock(
  w: WeightDeclarer,
  spec: BlockSpec,
  dims: { hidden: number; intermediate: number; kerasLayout: boolean },
): void {
  const { hidden, intermediate, kerasLayout } = dims;
  const sequence = { queryDim: hidden, keyDim: hidden, valueDim: hidden };
  declareAttention(w, 'self_attention', attentionSpecOf(spec), sequence, { kerasLayout });
  w.layerNorm('self_attention_norm', hidden);
  declareFeedForward(w, 'feedforward', hidden, intermediate);
  w.layerNorm('feedforward_norm', hidden);
}

/** A sequence [batch, len, dim] → [batch, len, dim]; `visible` masks keys (e.g. padding), null attends to all. */
export function encoderBlock<T>(ops: TensorOps<T>, x: T, visible: T | null, spec: BlockSpec): T {
  const attentionSpec = attentionSpecOf(spec);
  const attended = residual(
    ops,
    x,
    'self_attention_norm',
    spec,
    (h) => attention(ops, { query: h, key: h, value: h }, visible, 'self_attention', attentionSpec).output,
  );
  const out = residual(ops, attended, 'feedforward_norm', spec, (h) =>
    feedForward(ops, h, 'feedforward', spec.feedForwardDropout),
  );
  return ops.dropout(out, spec.outputDropout);
}
