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
      const plainArgs = { inputs: { ...inputs, a, b }, backend, attrs: plainAttrs };
      return multiplyMatrixBatches(plainArgs) ?? multiplyFoldingSharedRight(plainArgs, stockKernel);
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
function multiplyFoldingSharedRight(args: MatMulArgs, stockKernel: (args: MatMulArgs) => tf.TensorInfo): tf.TensorInfo {
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

type WasmBatchMatMul = (
  aId: number,
  aShape: Uint8Array,
  aRank: number,
  bId: number,
  bShape: Uint8Array,
  bRank: number,
  transposeA: boolean,
  transposeB: boolean,
  outId: number,
) => void;
const wasmBatchMatMuls = new WeakMap<BackendWasm, WasmBatchMatMul>();
/** Below this many rows per left-hand matrix the stock loop is faster (measured on decoding steps). */
const MIN_ROWS_PER_MATRIX = 8;

/**
 * a [...batch, m, k] x b [...batch, k, n] with the same batch dims on both sides (attention's
 * scores and weighted values, and their gradients): the stock kernel's naive loop runs these at
 * ~2 GFLOP/s. Each pair of matrices is instead registered as its own one-batch tensor — an id on
 * the C++ side pointing into the inputs' and output's memory, no copy — and multiplied by XNNPACK,
 * ~5-10x faster. Returns undefined where this does not apply (then the stock path runs).
 */
function multiplyMatrixBatches(args: MatMulArgs): tf.TensorInfo | undefined {
  const {
    inputs: { a, b, bias, preluActivationWeights },
    backend,
  } = args;
  const activation = (args.attrs as { activation?: string }).activation;
  const batchDims = a.shape.slice(0, -2);
  const batch = tf.util.sizeFromShape(batchDims);
  if (batch < 2 || a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  if (!tf.util.arraysEqual(batchDims, b.shape.slice(0, -2))) return undefined;
  if (
    bias !== undefined ||
    preluActivationWeights !== undefined ||
    (activation !== undefined && activation !== 'linear')
  )
    return undefined;
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  // XNNPACK packs each right-hand matrix before multiplying: with few rows on the left (a decoding
  // step's single query) packing costs more than the naive loop saves — greedy decoding got 35% slower.
  if (m < MIN_ROWS_PER_MATRIX) return undefined;
  const out = backend.makeOutput([...batchDims, m, n], 'float32');
  const wasm = backend.wasm;
  let multiply = wasmBatchMatMuls.get(backend);
  if (multiply === undefined) {
    // The stock kernel's own entry point (its setup cwraps the same export); the module's typings leave cwrap out.
    const { cwrap } = wasm as unknown as { cwrap: (name: string, ret: null, args: string[]) => WasmBatchMatMul };
    multiply = cwrap(tf.BatchMatMul, null, [
      'number',
      'array',
      'number',
      'number',
      'array',
      'number',
      'number',
      'number',
      'number',
    ]);
    wasmBatchMatMuls.set(backend, multiply);
  }
  const offset = (t: tf.TensorInfo) => backend.getMemoryOffset(t.dataId);
  const [aBase, bBase, outBase] = [offset(a), offset(b), offset(out)];
  const shapeBytes = (rows: number, cols: number) => new Uint8Array(new Int32Array([1, rows, cols]).buffer);
  const aShape = shapeBytes(m, k);
  const bShape = shapeBytes(k, n);
  for (let i = 0; i < batch; i++) {
    // Ids from the backend's own counter, so they never collide with a live tensor's; disposing the
    // C++ entry also drops the XNNPACK operator cached for it, and never frees memory (JS owns that).
    const ids = [0, 1, 2].map(() => (backend as unknown as { dataIdNextNumber: number }).dataIdNextNumber++) as [
      number,
      number,
      number,
    ];
    wasm.tfjs.registerTensor(ids[0], m * k, aBase + i * m * k * 4);
    wasm.tfjs.registerTensor(ids[1], k * n, bBase + i * k * n * 4);
    wasm.tfjs.registerTensor(ids[2], m * n, outBase + i * m * n * 4);
    multiply(ids[0], aShape, 3, ids[1], bShape, 3, false, false, ids[2]);
    for (const id of ids) wasm.tfjs.disposeData(id);
  }
  return out;
}
