export {
  ensureOnnxExport,
  exportBundleToOnnx,
  ONNX_EXPORT_FORMAT,
  ONNX_EXPORT_VERSION,
  type OnnxManifest,
} from './export/export-bundle.js';
export { buildLayersModelGraph } from './export/layers-model-graph.js';
export { loadOnnxCaptioner, type LoadOnnxCaptionerOptions, type OnnxCaptioner } from './engine/onnx-captioner.js';
export { createOnnxFeatureExtractor, type OnnxFeatureExtractor } from './engine/onnx-feature-extractor.js';
export { OnnxDecoderSession, type DecoderStepShape } from './engine/onnx-decoder-session.js';
export { stepRunner, type StepFeeds, type StepGraph, type StepResults, type StepRunner } from './engine/step-runner.js';
export {
  ENGINE_CHOICES,
  INFERENCE_ENGINES,
  resolveInferenceEngine,
  type EngineChoice,
  type InferenceEngine,
} from './engine/engine-choice.js';
export { loadCaptioner, type LoadCaptionerOptions, type LoadedCaptioner } from './engine/load-captioner.js';
