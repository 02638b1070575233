import { availableParallelism } from 'node:os';
import type { WorkerSetup } from '@imgcap/captioner/training';
import { unregisterNativeKernels } from '@imgcap/tf-runtime';
import type { TrainKernels } from './config.js';

/**
 * Puts training's large matrix products (and the loss's exponentials) on ONNX Runtime's native kernels when tfjs runs
 * on wasm: MLAS's AVX2/AVX-512 GEMM runs them ~3x faster than wasm SIMD, and a seed-size step ~2.5x faster overall.
 * `auto` does so when the backend is wasm and ONNX Runtime loads (and says why not otherwise); `onnx` insists;
 * `wasm` keeps tfjs's own kernels. tfjs-node (`tensorflow`) has native kernels already and is left alone. Registers
 * the kernels on this thread and returns what each data-parallel worker must run to do the same.
 */
export async function enableTrainingKernels(
  choice: TrainKernels,
  backend: string,
  replicas: number,
  log: (message: string) => void,
): Promise<WorkerSetup | undefined> {
  // An earlier run in this process may have registered them.
  unregisterNativeKernels();
  if (choice === 'wasm') return undefined;
  if (backend !== 'wasm') {
    if (choice === 'onnx') throw new Error(`--train_kernels onnx needs the wasm backend; this run uses ${backend}.`);
    return undefined;
  }
  // Replicas and ONNX Runtime threads share the cores: one thread each when every core has a replica.
  const threads = Math.max(1, Math.floor(availableParallelism() / replicas));
  try {
    const { enableOrtKernels } = await import('@imgcap/onnx-engine/ort-kernels');
    const { description, workerSetup } = enableOrtKernels({ threads });
    log(`kernels: large matrix products and exponentials on ${description} per replica; the rest on wasm`);
    return workerSetup;
  } catch (error) {
    if (choice === 'onnx') throw error;
    log(`kernels: wasm only (ONNX Runtime did not load: ${(error as Error).message})`);
    return undefined;
  }
}
