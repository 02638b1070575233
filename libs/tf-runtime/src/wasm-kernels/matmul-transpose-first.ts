import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type MatMulInputs = { a: tf.TensorInfo; b: tf.TensorInfo } & Record<string, tf.TensorInfo | undefined>;
type MatMulAttrs = { transposeA: boolean; transposeB: boolean } & Record<string, unknown>;
type MatMulArgs = { inputs: MatMulInputs; backend: BackendWasm; attrs: MatMulAttrs };

/**
 * Wraps the stock wasm `BatchMatMul` / `_FusedMatMul` kernels. The stock kernels only reach
 * XNNPACK when both flags are false and there is one batch; with `transposeA`/`transposeB` set
 * (every matmul gradient) or a batch of matrices against one shared matrix (a rank-3 activation
 * times a weight) they fall back to a naive loop, 10–20x slower. This wrapper transposes
 * explicitly and folds a shared right-hand matrix into one big matrix, then delegates.
 */
export function transposeFirstMatMul(stock: tf.KernelConfig): tf.KernelConfig {
  const stockKernel = stock.kernelFunc as unknown as (args: MatMulArgs) => tf.TensorInfo;
  function kernelFunc(args: MatMulArgs): tf.TensorInfo {
    const { inputs, backend, attrs } = args;
    const transposeKernel = tf.getKernel(tf.Transpose, 'wasm');
    if (transposeKernel === undefined) return stockKernel(args);
    const transposeTemps: tf.TensorInfo[] = [];
    const swapLastTwo = (x: tf.TensorInfo): tf.TensorInfo => {
      const perm = x.shape.map((_, axis) => axis);
      perm.splice(-2, 2, perm.length - 1, perm.length - 2);
      const swapped = transposeKernel.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
      transposeTemps.push(swapped);
      return swapped;
    };
    try {
      const a = attrs.transposeA ? swapLastTwo(inputs.a) : inputs.a;
      const b = attrs.transposeB ? swapLastTwo(inputs.b) : inputs.b;
      const plainAttrs = { ...attrs, transposeA: false, transposeB: false };
      return multiplyFoldingSharedRight({ inputs: { ...inputs, a, b }, backend, attrs: plainAttrs }, stockKernel);
    } finally {
      for (const temp of transposeTemps) backend.disposeData(temp.dataId);
    }
  }
  return { ...stock, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

/**
 * a [...batch, m, k] x b [k, n] (b's batch dims all 1) equals a viewed as [1, batch*m, k] times b:
 * one XNNPACK call instead of the naive batched loop. The views share dataIds (no copy) and the
 * stock kernel balances its own reshape reference counts.
 */
function multiplyFoldingSharedRight(
  args: MatMulArgs,
  stockKernel: (args: MatMulArgs) => tf.TensorInfo,
): tf.TensorInfo {
  const { a, b, preluActivationWeights: prelu } = args.inputs;
  const aBatch = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const bBatch = tf.util.sizeFromShape(b.shape.slice(0, -2));
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 1];
  // Per-element prelu weights follow the output layout, which folding would change.
  const preluPerColumn = prelu === undefined || tf.util.sizeFromShape(prelu.shape) <= n;
  if (aBatch === 1 || bBatch !== 1 || a.dtype !== 'float32' || !preluPerColumn) return stockKernel(args);
  const batchShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const aView = { ...a, shape: [1, aBatch * m, k] };
  const bView = { ...b, shape: [1, b.shape[b.shape.length - 2], n] };
  const out = stockKernel({ ...args, inputs: { ...args.inputs, a: aView, b: bView } });
  out.shape = [...batchShape, m, n];
  return out;
}
