import * as tf from '@tensorflow/tfjs-core';
// The stock wasm kernels must be registered before they can be wrapped.
import '@tensorflow/tfjs-backend-wasm';
import { transposeFirstMatMul } from './wasm-kernels/matmul-transpose-first.js';
import { noCopyIdentity } from './wasm-kernels/no-copy-identity.js';
import { noCopyTranspose } from './wasm-kernels/no-copy-transpose.js';
import { unsortedSegmentSumConfig } from './wasm-kernels/unsorted-segment-sum.js';

/** Kernels this module replaces on wasm, so a second call can tell they are already ours. */
const wrappedKernels = new WeakSet<tf.KernelFunc>();
const WRAPPERS: [string, (stock: tf.KernelConfig) => tf.KernelConfig][] = [
  [tf.BatchMatMul, transposeFirstMatMul],
  [tf._FusedMatMul, transposeFirstMatMul],
  [tf.Transpose, noCopyTranspose],
  [tf.Identity, noCopyIdentity],
];

/**
 * Makes the wasm backend able and fast enough to train a small Transformer:
 * registers `UnsortedSegmentSum` (missing on wasm; the gradient of every embedding) and wraps
 * `BatchMatMul` and `_FusedMatMul` to transpose explicitly before calling the stock kernel, and
 * `Transpose` to share data instead of copying when the layout does not change (see no-copy-transpose), and
 * `Identity` (every clone) to share data as the cpu backend does (see no-copy-identity).
 * Safe to call more than once, and before or after the wasm backend is initialised: the
 * wrappers keep the stock `setupFunc`, and the kernel registry is global, not per backend.
 */
export function registerWasmKernelFixes(): void {
  if (tf.getKernel(tf.UnsortedSegmentSum, 'wasm') === undefined) {
    tf.registerKernel(unsortedSegmentSumConfig);
  }
  for (const [kernelName, wrap] of WRAPPERS) {
    const stock = tf.getKernel(kernelName, 'wasm');
    if (stock === undefined) {
      throw new Error(
        `registerWasmKernelFixes: no wasm kernel '${kernelName}'; import '@tensorflow/tfjs-backend-wasm' first`,
      );
    }
    if (wrappedKernels.has(stock.kernelFunc)) continue;
    const wrapped = wrap(stock);
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel(wrapped);
    wrappedKernels.add(wrapped.kernelFunc);
  }
}
