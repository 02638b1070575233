// @imgcap/onnx-engine/native-kernels: the large matrix products and exponentials of tfjs on wasm run on ONNX
// Runtime's native CPU kernels. Loads onnxruntime-node; the data-parallel trainer's worker threads import this entry
// point by URL (DataParallelOptions.workerSetup) to do the same.
import { registerNativeKernels, type NativeKernelThresholds } from '@imgcap/tf-runtime';
import { createOrtKernels } from './ort-kernels.js';

export { createOrtKernels } from './ort-kernels.js';

export interface OrtKernelOptions extends Partial<NativeKernelThresholds> {
  /** ONNX Runtime threads per call (default 1: one per data-parallel replica fills the cores). */
  threads?: number;
}

/** Registers ONNX Runtime's kernels for this thread's wasm backend; returns their description, for the log. */
export function registerOrtKernels(options: OrtKernelOptions = {}): string {
  const { threads, ...thresholds } = options;
  const kernels = createOrtKernels({ threads });
  registerNativeKernels(kernels, thresholds);
  return kernels.description;
}
