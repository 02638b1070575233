import * as tf from '@tensorflow/tfjs-core';
// The stock wasm kernels must be registered before they can be wrapped.
import '@tensorflow/tfjs-backend-wasm';
import { transposeFirstMatMul } from './wasm-kernels/matmul-transpose-first.js';
import { unsortedSegmentSumConfig } from './wasm-kernels/unsorted-segment-sum.js';

/** Kernels this module replaces on wasm, so a second call can tell they are already ours. */
const wrappedMatMuls = new WeakSet<tf.KernelFunc>();

/**
 * Makes the wasm backend able and fast enough to train a small Transformer:
 * registers `UnsortedSegmentSum` (missing on wasm; the gradient of every embedding) and wraps
 * `BatchMatMul` and `_FusedMatMul` to transpose explicitly before calling the stock kernel.
 * Safe to call more than once, and before or after the wasm backend is initialised: the
 * wrappers keep the stock `setupFunc`, and the kernel registry is global, not per backend.
 */
export function registerWasmKernelFixes(): void {
  if (tf.getKernel(tf.UnsortedSegmentSum, 'wasm') === undefined) {
    tf.registerKernel(unsortedSegmentSumConfig);
  }
  for (const kernelName of [tf.BatchMatMul, tf._FusedMatMul]) {
    const stock = tf.getKernel(kernelName, 'wasm');
    if (stock === undefined) {
      throw new Error(`registerWasmKernelFixes: no wasm kernel '${kernelName}'; import '@tensorflow/tfjs-backend-wasm' first`);
    }
    if (wrappedMatMuls.has(stock.kernelFunc)) continue;
    const wrapped = transposeFirstMatMul(stock);
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel(wrapped);
    wrappedMatMuls.add(wrapped.kernelFunc);
  }
}
