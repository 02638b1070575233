import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { maxAbsDiff, seededValues, valuesOn } from './test-helpers/on-backend.js';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { checkWasmInternalsVersion, PINNED_WASM_VERSION, registerWasmKernelFixes } from './wasm-kernel-fixes.js';

registerWasmKernelFixes();

async function expectWasmMatchesCpu(compute: () => tf.Tensor | tf.Tensor[], tolerance = 1e-4): Promise<void> {
  const expected = await valuesOn('cpu', compute);
  const actual = await valuesOn('wasm', compute);
  expect(actual.length).toBe(expected.length);
  actual.forEach((values, i) => expect(maxAbsDiff(values, expected[i])).toBeLessThan(tolerance));
}

describe('the wasm internals version check', () => {
  it('accepts the pinned release, which is the one installed', () => {
    expect(version_wasm).toBe(PINNED_WASM_VERSION);
    expect(() => checkWasmInternalsVersion(version_wasm)).not.toThrow();
  });

  it('refuses any other release, naming both versions and the fix', () => {
    expect(() => checkWasmInternalsVersion('4.23.0')).toThrow(
      /tfjs-backend-wasm 4\.23\.0 is installed.*internals of 4\.22\.0 only; install @tensorflow\/tfjs-backend-wasm@4\.22\.0/,
    );
  });
});

describe('UnsortedSegmentSum on wasm', () => {
  it('matches the cpu kernel, dropping out-of-range ids', async () => {
    const ids = [3, 0, 3, -1, 7, 1, 9, 3];
    await expectWasmMatchesCpu(() =>
      tf.unsortedSegmentSum(tf.tensor2d(seededValues(8 * 5, 1), [8, 5]), tf.tensor1d(ids, 'int32'), 8),
    );
  });

  it('gives gather its gradient, as an embedding needs', async () => {
    const table = seededValues(12 * 4, 2);
    const upstream = seededValues(2 * 3 * 4, 3);
    await expectWasmMatchesCpu(() => {
      const indices = tf.tensor2d(
        [
          [1, 5, 1],
          [11, 0, 5],
        ],
        [2, 3],
        'int32',
      );
      const gradOfTable = tf.grad((t: tf.Tensor) =>
        tf.sum(tf.mul(tf.gather(t, indices), tf.tensor3d(upstream, [2, 3, 4]))),
      );
      return gradOfTable(tf.tensor2d(table, [12, 4]));
    });
  });

  it('leaves no tensors behind', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([6, 3]);
    const ids = tf.tensor1d([0, 1, 0, 2, 2, 1], 'int32');
    const before = tf.memory().numTensors;
    tf.unsortedSegmentSum(x, ids, 3).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, ids]);
  });
});

describe('BatchMatMul and _FusedMatMul on wasm', () => {
  const flagCombos = [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const;

  it.each(flagCombos)('batched matMul with transposeA=%s transposeB=%s matches cpu', async (ta, tb) => {
    const a = seededValues(3 * 5 * 7, 4);
    const b = seededValues(3 * 7 * 6, 5);
    await expectWasmMatchesCpu(() =>
      tf.matMul(tf.tensor3d(a, ta ? [3, 7, 5] : [3, 5, 7]), tf.tensor3d(b, tb ? [3, 6, 7] : [3, 7, 6]), ta, tb),
    );
  });

  it.each(flagCombos)('rank-3 times shared weight with transposeA=%s transposeB=%s matches cpu', async (ta, tb) => {
    const a = seededValues(4 * 5 * 7, 6);
    const w = seededValues(7 * 6, 7);
    await expectWasmMatchesCpu(() =>
      tf.matMul(tf.tensor3d(a, ta ? [4, 7, 5] : [4, 5, 7]), tf.tensor2d(w, tb ? [6, 7] : [7, 6]), ta, tb),
    );
  });

  it.each(flagCombos)('fused matMul + bias + relu with transposeA=%s transposeB=%s matches cpu', async (ta, tb) => {
    const a = seededValues(2 * 5 * 7, 8);
    const b = seededValues(7 * 6, 9);
    const bias = seededValues(6, 10);
    await expectWasmMatchesCpu(() =>
      tf.fused.matMul({
        a: tf.tensor3d(a, ta ? [2, 7, 5] : [2, 5, 7]),
        b: tf.tensor3d(b, tb ? [1, 6, 7] : [1, 7, 6]),
        transposeA: ta,
        transposeB: tb,
        bias: tf.tensor1d(bias),
        activation: 'relu',
      }),
    );
  });

  it('multi-head attention scores [batch, heads, t, d] x [batch, heads, t, d]^T match cpu', async () => {
    const q = seededValues(2 * 3 * 4 * 5, 11);
    const k = seededValues(2 * 3 * 4 * 5, 12);
    await expectWasmMatchesCpu(() =>
      tf.matMul(tf.tensor4d(q, [2, 3, 4, 5]), tf.tensor4d(k, [2, 3, 4, 5]), false, true),
    );
  });

  it('attention at training size (batch x heads matrices, each through XNNPACK) matches cpu, values and gradients', async () => {
    const [batch, heads, t, d] = [3, 4, 9, 16];
    const q = seededValues(batch * heads * t * d, 13);
    const k = seededValues(batch * heads * t * d, 14);
    const v = seededValues(batch * heads * t * d, 15);
    await expectWasmMatchesCpu(() => {
      const attend = (qs: tf.Tensor, ks: tf.Tensor, vs: tf.Tensor) =>
        tf.sum(tf.matMul(tf.softmax(tf.matMul(qs, ks, false, true)), vs));
      const shape = [batch, heads, t, d];
      const inputs = [q, k, v].map((values) => tf.tensor4d(values, shape as [number, number, number, number]));
      const { value, grads } = tf.valueAndGrads(attend)(inputs);
      return [value, ...grads];
    }, 1e-3);
  });

  it('registers no lasting ids for the matrices it multiplies one by one', async () => {
    await tf.setBackend('wasm');
    const a = tf.ones([4, 9, 5]);
    const b = tf.ones([4, 5, 3]);
    const backend = tf.backend() as unknown as { dataIdMap: { numDataIds(): number } };
    const before = { tensors: tf.memory().numTensors, ids: backend.dataIdMap.numDataIds() };
    const product = tf.matMul(a, b);
    expect(Array.from(await product.data()).every((x) => x === 5)).toBe(true);
    product.dispose();
    expect({ tensors: tf.memory().numTensors, ids: backend.dataIdMap.numDataIds() }).toEqual(before);
    tf.dispose([a, b]);
  });

  it('frees its transposed copies', async () => {
    await tf.setBackend('wasm');
    const a = tf.ones([2, 4, 3]);
    const b = tf.ones([2, 5, 4]);
    const before = tf.memory();
    tf.matMul(a, b, true, true).dispose();
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    // wasm frees kernel temporaries through backend.disposeData, which numTensors does not see.
    expect((tf.backend() as unknown as { dataIdMap: { numDataIds(): number } }).dataIdMap.numDataIds()).toBe(
      before.numDataBuffers,
    );
    tf.dispose([a, b]);
  });

  it('is idempotent: a second registration does not wrap the wrapper', () => {
    const first = tf.getKernel(tf.BatchMatMul, 'wasm');
    registerWasmKernelFixes();
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')).toBe(first);
  });
});

describe('Transpose on wasm', () => {
  it.each([
    [
      [2, 3],
      [0, 1],
    ],
    [
      [1, 4, 3],
      [1, 0, 2],
    ],
    [
      [2, 1, 3, 1],
      [0, 3, 1, 2],
    ],
    [
      [2, 3, 4],
      [0, 2, 1],
    ],
    [
      [3, 1, 4],
      [2, 1, 0],
    ],
  ])('shape %j perm %j matches cpu', async (shape, perm) => {
    const values = seededValues(
      shape.reduce((a, b) => a * b, 1),
      6,
    );
    await expectWasmMatchesCpu(() => tf.transpose(tf.tensor(values, shape), perm));
  });

  it('shares the data of a layout-keeping transpose, which outlives its input', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    // tfjs-layers' Dense transposes its kernel with this identity perm on every rank-3 input.
    const buffers = tf.memory().numDataBuffers;
    const same = tf.transpose(x, [0, 1]);
    expect(tf.memory().numDataBuffers).toBe(buffers); // no copy: the matMul's packed-weight cache keeps hitting
    x.dispose();
    expect(Array.from(await same.data())).toEqual([1, 2, 3, 4, 5, 6]);
    const before = tf.memory().numTensors;
    same.dispose();
    expect(tf.memory().numTensors).toBe(before - 1);
  });
});

describe('Identity on wasm', () => {
  it('clones by sharing the data, and the clone outlives its source', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const buffers = tf.memory().numDataBuffers;
    const copy = tf.clone(x);
    expect(tf.memory().numDataBuffers).toBe(buffers);
    x.dispose();
    expect(Array.from(await copy.data())).toEqual([1, 2, 3, 4]);
    const before = tf.memory().numTensors;
    copy.dispose();
    expect(tf.memory().numTensors).toBe(before - 1);
  });

  it('leaves a variable unchanged when the tensor it was cloned from is assigned a new value', async () => {
    await tf.setBackend('wasm');
    const v = tf.variable(tf.tensor1d([1, 2]));
    const snapshot = tf.clone(v);
    v.assign(tf.tensor1d([7, 8]));
    expect(Array.from(await snapshot.data())).toEqual([1, 2]);
    expect(Array.from(await v.data())).toEqual([7, 8]);
    tf.dispose([v, snapshot]);
  });

  it('gives custom gradients the same results as on cpu', async () => {
    await expectWasmMatchesCpu(() => {
      const a = tf.tensor2d(seededValues(3 * 4, 21), [3, 4]);
      const b = tf.tensor2d(seededValues(4 * 5, 22), [4, 5]);
      const bias = tf.tensor1d(seededValues(5, 23));
      const f = (x: tf.Tensor, w: tf.Tensor) =>
        tf.sum(tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias, activation: 'relu' }));
      return tf.grads(f)([a, b]);
    });
  });
});

describe('Sum over every leading axis, and whole-row GatherV2, on wasm', () => {
  // Sizes above the kernels' thresholds (64 Ki elements), so the replacement paths run.
  it.each([
    [[300, 260], [0], false],
    [[300, 260], [0], true],
    [[6, 50, 230], [0, 1], false],
    [[6, 50, 230], [1, 0], true],
    [[6, 50, 230], [2], false],
    [[6, 50, 230], [0, 2], false],
  ] as const)('sum of %j over axes %j (keepDims %s) matches cpu', async (shape, axes, keepDims) => {
    const values = seededValues(
      shape.reduce((p, q) => p * q, 1),
      21,
    );
    await expectWasmMatchesCpu(() => tf.sum(tf.tensor(values, [...shape]), [...axes], keepDims), 1e-3);
  });

  it('gathers whole rows as cpu does, and keeps the stock error for an index out of range', async () => {
    const table = seededValues(1000 * 70, 22);
    const ids = Int32Array.from({ length: 2 * 150 }, (_, i) => (i * 37) % 1000);
    await expectWasmMatchesCpu(() => tf.gather(tf.tensor2d(table, [1000, 70]), tf.tensor2d(ids, [2, 150], 'int32')));
    await expectWasmMatchesCpu(() => tf.gather(tf.tensor3d(table, [1000, 7, 10]), tf.tensor1d(ids, 'int32')));
    await tf.setBackend('wasm');
    const x = tf.tensor2d(table, [1000, 70]);
    const bad = tf.tensor1d([3, 1000], 'int32');
    expect(() => tf.gather(x, bad)).toThrow();
    tf.dispose([x, bad]);
  });

  it('leaves no tensors behind', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d(seededValues(400 * 200, 23), [400, 200]);
    const ids = tf.tensor1d([5, 7, 399], 'int32');
    const before = tf.memory().numTensors;
    tf.dispose([tf.sum(x, 0), tf.sum(x, 0, true), tf.gather(x, ids)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, ids]);
  });
});
