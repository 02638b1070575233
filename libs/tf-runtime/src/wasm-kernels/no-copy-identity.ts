import type * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type IdentityArgs = { inputs: { x: tf.TensorInfo }; backend: BackendWasm };

/**
 * Wraps the stock wasm `Identity`, which copies its input. tfjs calls it for every `clone` — every tensor a
 * custom gradient saves (a fused Dense saves its input, kernel and output), every `tf.keep(clone)` of the
 * tape — and tensors never change in place, so the cpu and webgl backends share the data instead. Copying
 * cost ~20 ms per d256 training step on 16 rows (10 MB per saved output-layer tensor). Strings keep the copy.
 */
export function noCopyIdentity(stock: tf.KernelConfig): tf.KernelConfig {
  const stockKernel = stock.kernelFunc as unknown as (args: IdentityArgs) => tf.TensorInfo;
  function kernelFunc(args: IdentityArgs): tf.TensorInfo {
    const {
      inputs: { x },
      backend,
    } = args;
    if (x.dtype === 'string') return stockKernel(args);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  }
  return { ...stock, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
