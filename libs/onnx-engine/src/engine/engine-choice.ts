// No ONNX Runtime import here: a server can read these (subpath `@imgcap/onnx-engine/engine-choice`) and
// pick tfjs without loading ONNX Runtime's native binding.

/** Inference engines a caption bundle runs on: tfjs (the captioner itself) or ONNX Runtime (exported from it). */
export const INFERENCE_ENGINES = ['tfjs', 'onnx'] as const;
export type InferenceEngine = (typeof INFERENCE_ENGINES)[number];

/** What a user may ask for: an engine, or `auto` (resolveInferenceEngine). */
export const ENGINE_CHOICES = ['auto', ...INFERENCE_ENGINES] as const;
export type EngineChoice = (typeof ENGINE_CHOICES)[number];

/**
 * `auto`: tfjs where tfjs runs on a native backend (`tensorflow`: tfjs-node's multi-threaded, or GPU, kernels),
 * else ONNX Runtime — the same captions (tested), 3–8× faster than tfjs-wasm per caption on these machines.
 */
export function resolveInferenceEngine(choice: EngineChoice, tfjsBackend: string): InferenceEngine {
  if (choice !== 'auto') return choice;
  // A GPU backend (tfjs-node-gpu/tfjs-node's 'tensorflow', or WebGPU) runs tfjs itself; wasm and cpu hand over to ONNX Runtime.
  return tfjsBackend === 'tensorflow' || tfjsBackend === 'webgpu' ? 'tfjs' : 'onnx';
}
