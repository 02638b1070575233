import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { loadCaptionService } from './caption-service.js';
import { MicroBatcher } from './micro-batcher.js';
import { patternedImage as image } from './test-helpers/patterned-image.js';
import { useTinyBundle } from './test-helpers/tiny-bundle.js';

describe('MicroBatcher', () => {
  it('runs jobs submitted together as one batch per key, each getting its own output, in order', async () => {
    const calls: { inputs: number[]; key: string }[] = [];
    const batcher = new MicroBatcher<number, string, string>(3, async (inputs, key) => {
      calls.push({ inputs, key });
      return inputs.map((n) => `${key}:${n}`);
    });
    const outputs = await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.submit(n, n === 2 ? 'beam3' : 'greedy')));
    expect(outputs).toEqual(['greedy:1', 'beam3:2', 'greedy:3', 'greedy:4', 'greedy:5']);
    // At most 3 per batch; the key of the oldest pending job picks each batch.
    expect(calls).toEqual([
      { inputs: [1, 3, 4], key: 'greedy' },
      { inputs: [2], key: 'beam3' },
      { inputs: [5], key: 'greedy' },
    ]);
  });

  it('runs a job submitted alone as a batch of one, even beside jobs with equal options', async () => {
    const calls: number[][] = [];
    const batcher = new MicroBatcher<number, string, number>(4, async (inputs) => {
      calls.push(inputs);
      return inputs;
    });
    const outputs = await Promise.all([1, 2, 3, 4].map((n) => batcher.submit(n, 'sample', { alone: n === 2 })));
    expect(outputs).toEqual([1, 2, 3, 4]);
    expect(calls).toEqual([[1, 3, 4], [2]]);
  });

  it('rejects every job of a failed batch and keeps serving later ones', async () => {
    let fail = true;
    const batcher = new MicroBatcher<number, string, number>(4, async (inputs) => {
      if (fail) throw new Error('engine failed');
      return inputs.map((n) => n * 2);
    });
    const failed = await Promise.allSettled([batcher.submit(1, 'k'), batcher.submit(2, 'k')]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await batcher.submit(3, 'k')).toBe(6);
  });

  it('with maxBatch 1 runs every job on its own', async () => {
    const calls: number[][] = [];
    const batcher = new MicroBatcher<number, string, number>(1, async (inputs) => {
      calls.push(inputs);
      return inputs;
    });
    expect(await Promise.all([1, 2, 3].map((n) => batcher.submit(n, 'k')))).toEqual([1, 2, 3]);
    expect(calls).toEqual([[1], [2], [3]]);
  });

  it('refuses a batch size below 1', () => {
    expect(() => new MicroBatcher(0, async () => [])).toThrow('maxBatch must be an integer ≥ 1; got 0');
  });
});

describe('CaptionerService with micro-batching (real tiny bundle)', () => {
  const fixture = useTinyBundle('imgcap-serve-batch-');

  it('gives concurrent requests the captions they get one at a time, without leaking tensors', async () => {
    // tfjs, named: the default engine here is ONNX Runtime, whose captions hold no tfjs tensors to leak.
    const single = await loadCaptionService(fixture.bundle, { backend: 'wasm', engine: 'tfjs', maxBatch: 1 });
    const batched = await loadCaptionService(fixture.bundle, { backend: 'wasm', engine: 'tfjs', maxBatch: 4 });
    expect(batched.engine).toBe('tfjs (wasm)');
    try {
      for (const beam of [1, 2]) {
        const expected = [];
        for (const seed of [1, 2, 3, 4, 5]) expected.push(await single.caption(image(seed), { beam }));
        const before = tf.memory().numTensors;
        const actual = await Promise.all([1, 2, 3, 4, 5].map((seed) => batched.caption(image(seed), { beam })));
        expect(tf.memory().numTensors).toBe(before);
        expect(actual.map((r) => r.words)).toEqual(expected.map((r) => r.words));
        actual.forEach((r, i) => expect(r.score).toBeCloseTo(expected[i]!.score, 4));
      }
    } finally {
      single.dispose();
      batched.dispose();
    }
  });
});
