import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type TransposeArgs = { inputs: { x: tf.TensorInfo }; backend: BackendWasm; attrs: { perm: number[] } };

/**
 * Wraps the stock wasm `Transpose`. When the permutation only moves size-1 axes (or is the identity, as
 * tfjs-layers' `Dense` asks for on every rank-3 input) the data layout does not change, yet the stock
 * kernel copies the tensor. A copy has a new id, and the wasm `MatMul` caches its XNNPACK operator —
 * with the weights packed — by the weight tensor's id: every copy repacked the weights, ~18 ms per call
 * for a 512 × 10,000 output layer. Here such a transpose shares the input's data, as `Reshape` does.
 */
export function noCopyTranspose(stock: tf.KernelConfig): tf.KernelConfig {
  const stockKernel = stock.kernelFunc as unknown as (args: TransposeArgs) => tf.TensorInfo;
  function kernelFunc(args: TransposeArgs): tf.TensorInfo {
    const {
      inputs: { x },
      backend,
      attrs: { perm },
    } = args;
    if (!keepsLayout(x.shape, perm)) return stockKernel(args);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: perm.map((axis) => x.shape[axis]!), dtype: x.dtype };
  }
  return { ...stock, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

/** True when the axes longer than 1 keep their relative order, so row-major memory is the same. */
export function keepsLayout(shape: readonly number[], perm: readonly number[]): boolean {
  let last = -1;
  for (const axis of perm) {
    if (shape[axis] === 1) continue;
    if (axis < last) return false;
    last = axis;
  }
  return true;
}
