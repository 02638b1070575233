// @imgcap/onnx-engine/browser: the ONNX decoder session over any ONNX Runtime (onnxruntime-web in a page). No ONNX
// Runtime import and no Node built-ins: the web page loads this entry point as built.
export { gatherRows, OnnxDecoderSession, type DecoderStepShape } from './onnx-decoder-session.js';
export { stepRunner, type StepFeeds, type StepGraph, type StepResults, type StepRunner } from './step-runner.js';
export { captionOnnxFeatures, type CaptionGraphs, type OnnxGraph, type OrtTensorModule } from './caption-core.js';
