// Kernels tfjs-backend-webgpu 4.22 lacks for training, registered for 'webgpu'. The kernel registry is global,
// so registering works before the backend starts.
import * as tf from '@tensorflow/tfjs-core';

/**
 * `UnsortedSegmentSum` (missing on webgpu; the gradient of `gather`, so of every embedding) as one matrix product:
 * out = oneHot(segmentIds, numSegments)ᵀ · x. WebGPU has no float atomics for a scatter-add, and a product is what
 * a GPU does fastest; the one-hot matrix is [rows, segments] (for a 10,000-word embedding and 4,480 target
 * positions, 179 MB of GPU memory for the step).
 */
const unsortedSegmentSum: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, attrs }) => {
    const { x, segmentIds } = inputs as { x: tf.Tensor; segmentIds: tf.Tensor };
    const { numSegments } = attrs as unknown as { numSegments: number };
    // A kernel may return a Tensor (the engine keeps it as the output); ops inside run on this backend.
    return tf.tidy(() => {
      const rows = segmentIds.size;
      const flat = tf.reshape(x, [rows, x.size / Math.max(rows, 1)]);
      const oneHot = tf.cast(tf.oneHot(tf.reshape(tf.cast(segmentIds, 'int32'), [rows]), numSegments), x.dtype);
      return tf.reshape(tf.matMul(oneHot, flat, true, false), [numSegments, ...x.shape.slice(segmentIds.rank)]);
    }) as unknown as tf.TensorInfo;
  },
};

/** Registers the webgpu fixes; safe to call more than once. */
export function registerWebgpuKernelFixes(): void {
  if (tf.getKernel(tf.UnsortedSegmentSum, 'webgpu') === undefined) tf.registerKernel(unsortedSegmentSum);
}
