import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, seededValues, valuesOn } from './test-helpers/on-backend.js';
import {
  activeNativeKernels,
  registerNativeKernels,
  unregisterNativeKernels,
  type GemmProblem,
  type NativeKernels,
} from './wasm-kernels/native-kernels.js';
import { registerWasmKernelFixes } from './wasm-kernel-fixes.js';

/** A reference "native" implementation in plain JS, recording what reached it. */
function referenceKernels(): NativeKernels & { products: GemmProblem[]; exps: number } {
  const kernels = {
    description: 'reference',
    products: [] as GemmProblem[],
    exps: 0,
    matMul(p: GemmProblem) {
      kernels.products.push(p);
      const batch = Math.max(p.batchA, p.batchB);
      for (let i = 0; i < batch; i++) {
        const a = p.a.subarray((p.batchA === 1 ? 0 : i) * p.m * p.k);
        const b = p.b.subarray((p.batchB === 1 ? 0 : i) * p.k * p.n);
        for (let r = 0; r < p.m; r++)
          for (let c = 0; c < p.n; c++) {
            let sum = p.bias ? p.bias[c]! : 0;
            for (let j = 0; j < p.k; j++) {
              const x = p.transposeA ? a[j * p.m + r]! : a[r * p.k + j]!;
              const y = p.transposeB ? b[c * p.k + j]! : b[j * p.n + c]!;
              sum += x * y;
            }
            p.out[i * p.m * p.n + r * p.n + c] = p.relu ? Math.max(0, sum) : sum;
          }
      }
    },
    exp(input: Float32Array, out: Float32Array) {
      kernels.exps++;
      for (let i = 0; i < input.length; i++) out[i] = Math.exp(input[i]!);
    },
  };
  return kernels;
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmKernelFixes();
});
afterEach(() => unregisterNativeKernels());

async function expectNativeMatchesCpu(compute: () => tf.Tensor | tf.Tensor[], kernels: NativeKernels) {
  const expected = await valuesOn('cpu', compute);
  registerNativeKernels(kernels, { minFlops: 1, minElements: 1 });
  const actual = await valuesOn('wasm', compute);
  actual.forEach((values, i) => expect(maxAbsDiff(values, expected[i]!)).toBeLessThan(1e-4));
}

describe('native kernels on wasm (registerNativeKernels)', () => {
  const flags = [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const;

  it.each(flags)('a 2-D product, transposeA=%s transposeB=%s, runs natively and matches cpu', async (ta, tb) => {
    const kernels = referenceKernels();
    const [a, b] = [seededValues(5 * 7, 1), seededValues(7 * 6, 2)];
    await expectNativeMatchesCpu(
      () => tf.matMul(tf.tensor2d(a, ta ? [7, 5] : [5, 7]), tf.tensor2d(b, tb ? [6, 7] : [7, 6]), ta, tb),
      kernels,
    );
    expect(kernels.products.map(({ m, k, n }) => [m, k, n])).toEqual([[5, 7, 6]]);
  });

  it.each(flags)('batched and shared-right products, transposeA=%s transposeB=%s, match cpu', async (ta, tb) => {
    const kernels = referenceKernels();
    const [a, b, w] = [seededValues(3 * 5 * 7, 3), seededValues(3 * 7 * 6, 4), seededValues(7 * 6, 5)];
    const left = () => tf.tensor3d(a, ta ? [3, 7, 5] : [3, 5, 7]);
    await expectNativeMatchesCpu(() => tf.matMul(left(), tf.tensor3d(b, tb ? [3, 6, 7] : [3, 7, 6]), ta, tb), kernels);
    await expectNativeMatchesCpu(() => tf.matMul(left(), tf.tensor2d(w, tb ? [6, 7] : [7, 6]), ta, tb), kernels);
    expect(kernels.products.length).toBeGreaterThanOrEqual(2);
  });

  it('a fused product with bias and relu matches cpu, and so do the gradients of one with a bias', async () => {
    const kernels = referenceKernels();
    const [a, b, bias] = [seededValues(4 * 6, 6), seededValues(6 * 5, 7), seededValues(5, 8)];
    const operands = () => [tf.tensor2d(a, [4, 6]), tf.tensor2d(b, [6, 5]), tf.tensor1d(bias)] as const;
    await expectNativeMatchesCpu(() => {
      const [x, y, z] = operands();
      return tf.fused.matMul({ a: x, b: y, bias: z, activation: 'relu' });
    }, kernels);
    expect(kernels.products.some((p) => p.bias !== undefined && p.relu)).toBe(true);
    // tfjs fuses only linear products while recording gradients; those reach the native GEMM with their bias.
    await expectNativeMatchesCpu(() => {
      const f = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
        tf.sum(tf.square(tf.fused.matMul({ a: x as tf.Tensor2D, b: y as tf.Tensor2D, bias: z })));
      const { value, grads } = tf.valueAndGrads(f)([...operands()]);
      return [value, ...grads];
    }, kernels);
    expect(kernels.products.filter((p) => p.transposeA || p.transposeB).length).toBeGreaterThanOrEqual(2);
  });

  it('keeps wasm for products below the threshold and for activations a GEMM does not express', async () => {
    const kernels = referenceKernels();
    registerNativeKernels(kernels, { minFlops: 10_000, minElements: 1 << 30 });
    const x = tf.ones([4, 4]);
    const big = tf.ones([40, 40]);
    tf.dispose([tf.matMul(x, x), tf.fused.matMul({ a: big, b: big, activation: 'elu' }), tf.exp(big)]);
    expect(kernels.products).toEqual([]);
    expect(kernels.exps).toBe(0);
    tf.dispose(tf.matMul(big, big));
    expect(kernels.products).toHaveLength(1);
    tf.dispose([x, big]);
  });

  it('runs large exponentials natively', async () => {
    const kernels = referenceKernels();
    const values = seededValues(1000, 9);
    await expectNativeMatchesCpu(() => tf.exp(tf.tensor1d(values)), kernels);
    expect(kernels.exps).toBe(1);
  });

  it('is leak-free, says what is active, and unregistering restores the wasm kernels', async () => {
    const kernels = referenceKernels();
    registerNativeKernels(kernels, { minFlops: 1, minElements: 1 });
    expect(activeNativeKernels()).toEqual({ description: 'reference', thresholds: { minFlops: 1, minElements: 1 } });
    const a = tf.ones([8, 8]);
    const before = tf.memory().numTensors;
    tf.dispose([tf.matMul(a, a), tf.exp(a)]);
    expect(tf.memory().numTensors).toBe(before);
    unregisterNativeKernels();
    expect(activeNativeKernels()).toBeNull();
    const calls = kernels.products.length;
    tf.dispose(tf.matMul(a, a));
    expect(kernels.products.length).toBe(calls);
    a.dispose();
  });
});
