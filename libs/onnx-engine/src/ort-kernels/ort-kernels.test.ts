import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, unregisterNativeKernels } from '@imgcap/tf-runtime';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerOrtKernels } from './index.js';

beforeAll(async () => {
  await selectBackend({ backend: 'wasm', log: () => {} });
});
afterEach(() => unregisterNativeKernels());

function seeded(count: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  return Float32Array.from({ length: count }, () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) / 2 ** 32) * 2 - 1;
  });
}

/** The same computation on wasm's own kernels and on ONNX Runtime's (every product and exp natively). */
async function compare(compute: () => tf.Tensor | tf.Tensor[]): Promise<number> {
  const run = async () => {
    const out = tf.tidy(compute);
    const list = Array.isArray(out) ? out : [out];
    const values = await Promise.all(list.map((t) => t.data() as Promise<Float32Array>));
    tf.dispose(list);
    return values;
  };
  unregisterNativeKernels();
  const expected = await run();
  registerOrtKernels({ minFlops: 1, minElements: 1 });
  const actual = await run();
  let worst = 0;
  actual.forEach((values, i) => values.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - expected[i]![j]!)))));
  return worst;
}

describe('ONNX Runtime kernels for tfjs on wasm', () => {
  const flags = [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const;

  it.each(flags)('2-D, batched and shared-right products (transposeA=%s, transposeB=%s) equal wasm', async (ta, tb) => {
    const [a, b, c] = [seeded(3 * 40 * 30, 1), seeded(3 * 30 * 20, 2), seeded(30 * 20, 3)];
    const left = () => tf.tensor3d(a, ta ? [3, 30, 40] : [3, 40, 30]);
    expect(
      await compare(() =>
        tf.matMul(
          tf.tensor2d(a.subarray(0, 1200), ta ? [30, 40] : [40, 30]),
          tf.tensor2d(c, tb ? [20, 30] : [30, 20]),
          ta,
          tb,
        ),
      ),
    ).toBeLessThan(1e-4);
    expect(await compare(() => tf.matMul(left(), tf.tensor3d(b, tb ? [3, 20, 30] : [3, 30, 20]), ta, tb))).toBeLessThan(
      1e-4,
    );
    expect(await compare(() => tf.matMul(left(), tf.tensor2d(c, tb ? [20, 30] : [30, 20]), ta, tb))).toBeLessThan(1e-4);
  });

  it('fused bias + relu, a dense layer gradient and a softmax equal wasm', async () => {
    const [x, w, bias] = [seeded(64 * 48, 4), seeded(48 * 32, 5), seeded(32, 6)];
    expect(
      await compare(() =>
        tf.fused.matMul({
          a: tf.tensor2d(x, [64, 48]),
          b: tf.tensor2d(w, [48, 32]),
          bias: tf.tensor1d(bias),
          activation: 'relu',
        }),
      ),
    ).toBeLessThan(1e-4);
    expect(
      await compare(() => {
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.softmax(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D)));
        const { value, grads } = tf.valueAndGrads(f)([tf.tensor2d(x, [64, 48]), tf.tensor2d(w, [48, 32])]);
        return [value, ...grads];
      }),
    ).toBeLessThan(1e-4);
  });

  it('exponentials equal wasm to float rounding', async () => {
    const values = seeded(5000, 7).map((v) => v * 20);
    const worstRelative = await compare(() => {
      const e = tf.exp(tf.tensor1d(values));
      return tf.div(e, tf.max(e));
    });
    expect(worstRelative).toBeLessThan(1e-5);
  });

  it('names itself, and leaves no tensors behind', async () => {
    expect(registerOrtKernels({ threads: 1 })).toMatch(/^onnxruntime-node 1\.30\.0 \(MLAS\), 1 thread$/);
    const [a, b] = [tf.ones([128, 128]), tf.ones([300, 300])];
    const before = tf.memory().numTensors;
    tf.dispose([tf.matMul(a, a), tf.exp(b)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b]);
  });
});
