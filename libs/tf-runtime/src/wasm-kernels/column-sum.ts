import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type SumArgs = {
  inputs: { x: tf.TensorInfo };
  backend: BackendWasm;
  attrs: { axis: number | number[]; keepDims: boolean };
};

/** Below this many elements the stock kernel's fixed costs are smaller than the copy it makes. */
const MIN_ELEMENTS = 1 << 16;

/**
 * Wraps the stock wasm `Sum`. Reducing every axis but the last — each dense layer's bias gradient, [rows, width] →
 * [width] — makes the stock kernel transpose the whole input first so that the reduced axes are innermost; at
 * [4096, 512] that is ~15 ms a call, 8 calls per seed-size training step. One pass down the rows, reading the input
 * in place, takes ~2 ms. Sums accumulate in float64 and are stored as float32 (the stock kernel accumulates in
 * float32: results agree to float rounding). Other reductions keep the stock kernel.
 */
export function columnSum(stock: tf.KernelConfig): tf.KernelConfig {
  const stockKernel = stock.kernelFunc as unknown as (args: SumArgs) => tf.TensorInfo;
  function kernelFunc(args: SumArgs): tf.TensorInfo {
    const {
      inputs: { x },
      backend,
      attrs,
    } = args;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((p, q) => p - q);
    const leading = rank >= 2 && axes.length === rank - 1 && axes.every((axis, i) => axis === i);
    if (!leading || x.dtype !== 'float32' || tf.util.sizeFromShape(x.shape) < MIN_ELEMENTS) return stockKernel(args);
    const width = x.shape[rank - 1]!;
    const out = backend.makeOutput(attrs.keepDims ? [...axes.map(() => 1), width] : [width], 'float32');
    // Views after makeOutput, which may grow (and so detach) the wasm memory.
    const input = backend.typedArrayFromHeap(x) as Float32Array;
    const sums = new Float64Array(width);
    const rows = input.length / width;
    let row = 0;
    // Four rows per pass: a quarter of the loads and stores of the running sums.
    for (; row + 4 <= rows; row += 4) {
      const [r0, r1, r2, r3] = [row * width, (row + 1) * width, (row + 2) * width, (row + 3) * width];
      for (let j = 0; j < width; j++) sums[j]! += input[r0 + j]! + input[r1 + j]! + input[r2 + j]! + input[r3 + j]!;
    }
    for (; row < rows; row++) {
      const offset = row * width;
      for (let j = 0; j < width; j++) sums[j]! += input[offset + j]!;
    }
    (backend.typedArrayFromHeap(out) as Float32Array).set(sums);
    return out;
  }
  return { ...stock, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
