// @imgcap/transformer-blocks/definition: every block written once against `TensorOps`, run by the tfjs layers of
// this package and by @imgcap/onnx-engine's graph exporter. No tfjs here: an exporter or a new engine imports only this.
export { weightPath, type DenseOptions, type TensorOps, type WeightDeclarer } from './tensor-ops.js';
export {
  attendProjected,
  attention,
  declareAttention,
  MASKED_LOGIT,
  multipliedShape,
  projectKey,
  projectQuery,
  projectValue,
  type Attended,
  type AttentionInputDims,
  type AttentionSpec,
} from './attention.js';
export { attentionSpecOf, type BlockSpec } from './block-spec.js';
export { declareFeedForward, feedForward, residual } from './sublayers.js';
export { declareEncoderBlock, encoderBlock } from './encoder.js';
export { declareSeedEncoderBlock, seedEncoderBlock } from './seed-encoder.js';
export {
  crossAttentionMemory,
  declareDecoderBlock,
  decoderBlock,
  decoderBlockStep,
  type DecoderStepInputs,
  type DecoderStepOutputs,
  type KeyValues,
} from './decoder.js';
