import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * One matrix product as a native GEMM sees it: `out[i] = op(a[i]) · op(b[i]) (+ bias) (relu)` for each of the
 * max(batchA, batchB) pairs, row-major float32; a side whose batch is 1 is shared by every pair. The arrays are views
 * into the wasm heap: the kernel reads the operands and writes `out` in place, synchronously.
 */
export interface GemmProblem {
  a: Float32Array;
  b: Float32Array;
  out: Float32Array;
  /** Matrices in `a` and in `b`: equal, or 1 on one side. */
  batchA: number;
  batchB: number;
  /** out is m × n per pair; k is the shared dimension. */
  m: number;
  k: number;
  n: number;
  /** a holds k × m matrices (and b n × k) to be used transposed. */
  transposeA: boolean;
  transposeB: boolean;
  /** Added to every row of out (length n). */
  bias?: Float32Array;
  relu: boolean;
}

/**
 * Synchronous native kernels for the wasm backend's heaviest training work (e.g. ONNX Runtime's, registered by
 * `@imgcap/onnx-engine/native-kernels`): matrix products, and the exponential the loss takes of every logit.
 */
export interface NativeKernels {
  /** Names the implementation in logs, e.g. "onnxruntime-node 1.30.0 (MLAS), 1 thread". */
  readonly description: string;
  matMul(problem: GemmProblem): void;
  /** out[i] = e^input[i]. */
  exp(input: Float32Array, out: Float32Array): void;
}

export interface NativeKernelThresholds {
  /** Products below this many FLOPs stay on wasm: a native call costs tens of microseconds. */
  minFlops: number;
  /** Exponentials of fewer elements stay on wasm. */
  minElements: number;
}

export const DEFAULT_NATIVE_THRESHOLDS: NativeKernelThresholds = { minFlops: 4_000_000, minElements: 1 << 16 };

type MatMulInputs = { a: tf.TensorInfo; b: tf.TensorInfo } & Record<string, tf.TensorInfo | undefined>;
type MatMulAttrs = { transposeA: boolean; transposeB: boolean; activation?: string } & Record<string, unknown>;
type MatMulArgs = { inputs: MatMulInputs; backend: BackendWasm; attrs: MatMulAttrs };
type ExpArgs = { inputs: { x: tf.TensorInfo }; backend: BackendWasm };

/** Heap views, made after any allocation: growing the wasm memory detaches older views. */
const view = (backend: BackendWasm, t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;

/**
 * Wraps a wasm `BatchMatMul` / `_FusedMatMul` kernel so that products of at least `minFlops` run natively; smaller
 * ones (a decoding step's single query, tiny attention blocks), and what a GEMM does not express (prelu, other
 * activations, a bias not per column), keep the wrapped kernel. Autodiff is unchanged: the gradients are matmuls
 * too, and reach this kernel like any other.
 */
function nativeMatMul(previous: tf.KernelConfig, kernels: NativeKernels, minFlops: number): tf.KernelConfig {
  const fallback = previous.kernelFunc as unknown as (args: MatMulArgs) => tf.TensorInfo;
  function kernelFunc(args: MatMulArgs): tf.TensorInfo {
    const problem = describe(args);
    if (problem === null || 2 * problem.m * problem.k * problem.n * problem.batch < minFlops) return fallback(args);
    const { inputs, backend, attrs } = args;
    const { batchShape, batch: _batch, ...sizes } = problem;
    const out = backend.makeOutput([...batchShape, problem.m, problem.n], 'float32');
    kernels.matMul({
      ...sizes,
      a: view(backend, inputs.a),
      b: view(backend, inputs.b),
      out: view(backend, out),
      transposeA: attrs.transposeA,
      transposeB: attrs.transposeB,
      bias: inputs.bias ? view(backend, inputs.bias) : undefined,
      relu: attrs.activation === 'relu',
    });
    return out;
  }
  return { ...previous, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

/** The product's sizes, or null where the native GEMM does not apply. */
function describe({ inputs, attrs }: MatMulArgs) {
  const { a, b, bias, preluActivationWeights } = inputs;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || preluActivationWeights !== undefined) return null;
  if (attrs.activation !== undefined && attrs.activation !== 'linear' && attrs.activation !== 'relu') return null;
  const [rowsA, colsA] = a.shape.slice(-2) as [number, number];
  const [rowsB, colsB] = b.shape.slice(-2) as [number, number];
  const m = attrs.transposeA ? colsA : rowsA;
  const k = attrs.transposeA ? rowsA : colsA;
  const n = attrs.transposeB ? rowsB : colsB;
  if ((attrs.transposeB ? colsB : rowsB) !== k) return null;
  if (bias !== undefined && (bias.dtype !== 'float32' || tf.util.sizeFromShape(bias.shape) !== n)) return null;
  const dimsA = a.shape.slice(0, -2);
  const dimsB = b.shape.slice(0, -2);
  const batchA = tf.util.sizeFromShape(dimsA);
  const batchB = tf.util.sizeFromShape(dimsB);
  // Equal batches pair up; a single matrix on one side is shared. Other broadcasts keep the wrapped kernel.
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  if (batchA === batchB && batchA > 1 && !tf.util.arraysEqual(dimsA, dimsB)) return null;
  const batchShape = tf.broadcast_util.assertAndGetBroadcastShape(dimsA, dimsB);
  return { m, k, n, batchA, batchB, batch: Math.max(batchA, batchB), batchShape };
}

/** Wraps the wasm `Exp` (scalar `std::exp` per element) so that large float32 inputs run natively. */
function nativeExp(previous: tf.KernelConfig, kernels: NativeKernels, minElements: number): tf.KernelConfig {
  const fallback = previous.kernelFunc as unknown as (args: ExpArgs) => tf.TensorInfo;
  function kernelFunc(args: ExpArgs): tf.TensorInfo {
    const { x } = args.inputs;
    if (x.dtype !== 'float32' || tf.util.sizeFromShape(x.shape) < minElements) return fallback(args);
    const out = args.backend.makeOutput([...x.shape], 'float32');
    kernels.exp(view(args.backend, x), view(args.backend, out));
    return out;
  }
  return { ...previous, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

/** The kernels registered before the native ones, so registering again replaces instead of stacking. */
let beforeNative: tf.KernelConfig[] | null = null;
let active: { kernels: NativeKernels; thresholds: NativeKernelThresholds } | null = null;

/**
 * Routes the wasm backend's large matrix products and exponentials in this thread to `kernels` (select the wasm
 * backend first: its kernel fixes are what these wrap). `unregisterNativeKernels` undoes it.
 */
export function registerNativeKernels(kernels: NativeKernels, thresholds: Partial<NativeKernelThresholds> = {}): void {
  unregisterNativeKernels();
  const { minFlops, minElements } = { ...DEFAULT_NATIVE_THRESHOLDS, ...thresholds };
  const wrappers: [string, (previous: tf.KernelConfig) => tf.KernelConfig][] = [
    [tf.BatchMatMul, (previous) => nativeMatMul(previous, kernels, minFlops)],
    [tf._FusedMatMul, (previous) => nativeMatMul(previous, kernels, minFlops)],
    [tf.Exp, (previous) => nativeExp(previous, kernels, minElements)],
  ];
  const previous = wrappers.map(([name]) => {
    const kernel = tf.getKernel(name, 'wasm');
    if (kernel === undefined) throw new Error(`registerNativeKernels: no wasm kernel '${name}'; select wasm first`);
    return kernel;
  });
  wrappers.forEach(([name, wrap], i) => {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(wrap(previous[i]!));
  });
  beforeNative = previous;
  active = { kernels, thresholds: { minFlops, minElements } };
}

/** Restores the wasm kernels `registerNativeKernels` replaced; a no-op when none are. */
export function unregisterNativeKernels(): void {
  if (beforeNative === null) return;
  for (const kernel of beforeNative) {
    tf.unregisterKernel(kernel.kernelName, 'wasm');
    tf.registerKernel(kernel);
  }
  beforeNative = null;
  active = null;
}

/** The native kernels this thread's wasm backend runs on, if any. */
export function activeNativeKernels(): { description: string; thresholds: NativeKernelThresholds } | null {
  return active ? { description: active.kernels.description, thresholds: active.thresholds } : null;
}
