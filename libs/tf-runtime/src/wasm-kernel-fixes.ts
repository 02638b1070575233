import * as tf from '@tensorflow/tfjs-core';
// The stock wasm kernels must be registered before they can be wrapped.
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { transposeFirstMatMul } from './wasm-kernels/matmul-transpose-first.js';
import { noCopyIdentity } from './wasm-kernels/no-copy-identity.js';
import { noCopyTranspose } from './wasm-kernels/no-copy-transpose.js';
import { columnSum } from './wasm-kernels/column-sum.js';
import { rowGather } from './wasm-kernels/row-gather.js';
import { unsortedSegmentSumConfig } from './wasm-kernels/unsorted-segment-sum.js';

/**
 * The tfjs-backend-wasm release whose internals the matmul wrapper was written against (the backend's
 * `dataIdNextNumber`, the module's `cwrap` and `tfjs.registerTensor`, heap offsets). They are not public API, so
 * any other release is refused instead of risking wrong numbers.
 */
export const PINNED_WASM_VERSION = '4.22.0';

/** Throws, naming both versions and the fix, unless `installed` is the release the kernel fixes were written for. */
export function checkWasmInternalsVersion(installed: string): void {
  if (installed !== PINNED_WASM_VERSION) {
    throw new Error(
      `registerWasmKernelFixes: @tensorflow/tfjs-backend-wasm ${installed} is installed, but imgcap's wasm kernel fixes ` +
        `use internals of ${PINNED_WASM_VERSION} only; install @tensorflow/tfjs-backend-wasm@${PINNED_WASM_VERSION} ` +
        `(every @tensorflow/* package at ${PINNED_WASM_VERSION}) or pick another backend (--backend cpu).`,
    );
  }
}

/** Kernels this module replaces on wasm, so a second call can tell they are already ours. */
const wrappedKernels = new WeakSet<tf.KernelFunc>();
const WRAPPERS: [string, (stock: tf.KernelConfig) => tf.KernelConfig][] = [
  [tf.BatchMatMul, transposeFirstMatMul],
  [tf._FusedMatMul, transposeFirstMatMul],
  [tf.Transpose, noCopyTranspose],
  [tf.Identity, noCopyIdentity],
  [tf.Sum, columnSum],
  [tf.GatherV2, rowGather],
];

/**
 * Makes the wasm backend able and fast enough to train a small Transformer:
 * registers `UnsortedSegmentSum` (missing on wasm; the gradient of every embedding) and wraps
 * `BatchMatMul` and `_FusedMatMul` to transpose explicitly before calling the stock kernel, and
 * `Transpose` to share data instead of copying when the layout does not change (see no-copy-transpose), and
 * `Identity` (every clone) to share data as the cpu backend does (see no-copy-identity), `Sum` over all leading
 * axes (bias gradients) to skip a transpose (column-sum), and `GatherV2` of whole rows to copy rows (row-gather).
 * Safe to call more than once, and before or after the wasm backend is initialised: the
 * wrappers keep the stock `setupFunc`, and the kernel registry is global, not per backend.
 */
export function registerWasmKernelFixes(): void {
  checkWasmInternalsVersion(version_wasm);
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
