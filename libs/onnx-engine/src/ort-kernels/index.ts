// @imgcap/onnx-engine/ort-kernels: the large matrix products and exponentials of tfjs on wasm run on ONNX
// Runtime's native CPU kernels. Loads onnxruntime-node; the data-parallel trainer's worker threads import this entry
// point by URL (DataParallelOptions.workerSetup) to do the same.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
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

/**
 * Registers ONNX Runtime's kernels on this thread and says how a worker thread does the same: the fields of
 * `@imgcap/captioner`'s `WorkerSetup`. The module is this entry point's build (its `internal/` export has no source
 * condition), so a plain-JS worker can import it even when this thread runs from TypeScript sources.
 */
export function enableOrtKernels(options: OrtKernelOptions = {}): {
  description: string;
  workerSetup: { module: string; exportName: 'registerOrtKernels'; options: OrtKernelOptions };
} {
  const description = registerOrtKernels(options);
  const module = pathToFileURL(createRequire(import.meta.url).resolve('@imgcap/onnx-engine/internal/ort-kernels')).href;
  return { description, workerSetup: { module, exportName: 'registerOrtKernels', options } };
}
