import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * `UnsortedSegmentSum` for the wasm backend, which ships without it. It is the gradient of
 * `gather`, so every embedding lookup needs it to train. A plain loop over the segment ids adds
 * each row of `x` into its segment: O(size of x), ~20 ms at vocab 10k, where the cpu kernel
 * builds a [numSegments, rows] mask and needs minutes and gigabytes.
 */
function unsortedSegmentSum(args: {
  inputs: { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  backend: BackendWasm;
  attrs: tf.UnsortedSegmentSumAttrs;
}): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, segmentIds } = inputs;
  const { numSegments } = attrs;
  const idsRank = segmentIds.shape.length;
  if (!segmentIds.shape.every((dim, axis) => dim === x.shape[axis])) {
    throw new Error(
      `UnsortedSegmentSum: segmentIds shape [${segmentIds.shape}] must be a prefix of x shape [${x.shape}]`,
    );
  }
  const rowShape = x.shape.slice(idsRank);
  const rowSize = tf.util.sizeFromShape(rowShape);
  // makeOutput may grow the wasm heap, which detaches earlier views: take views after it.
  const out = backend.makeOutput([numSegments, ...rowShape], x.dtype);
  const outValues = backend.typedArrayFromHeap(out);
  const xValues = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  outValues.fill(0);
  for (let row = 0; row < ids.length; row++) {
    const segment = ids[row];
    // Ids outside [0, numSegments) are dropped, as TensorFlow and the cpu kernel do.
    if (segment < 0 || segment >= numSegments) continue;
    const src = row * rowSize;
    const dst = segment * rowSize;
    for (let k = 0; k < rowSize; k++) outValues[dst + k] += xValues[src + k];
  }
  return out;
}

export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc,
};
