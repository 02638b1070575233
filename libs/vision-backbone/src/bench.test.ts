import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { benchBackbone } from './bench.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

describe('benchBackbone', () => {
  it('returns a positive images/s on both clocks and frees everything it built', async () => {
    const before = tf.memory().numTensors;
    const wall = await benchBackbone('b0', 2, { imageSize: 32, repeats: 1 });
    const cpu = await benchBackbone('b0', 2, { imageSize: 32, repeats: 1, clock: 'cpu' });
    for (const rate of [wall, cpu]) {
      expect(Number.isFinite(rate)).toBe(true);
      expect(rate).toBeGreaterThan(0);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a bad batch, repeat count or clock, naming the value', async () => {
    await expect(benchBackbone('b0', 0)).rejects.toThrow(/batch.*got 0/);
    await expect(benchBackbone('b0', 1, { repeats: 1.5 })).rejects.toThrow(/repeats.*got 1.5/);
    await expect(benchBackbone('b0', 1, { clock: 'gpu' as 'cpu' })).rejects.toThrow(/'wall' or 'cpu', got 'gpu'/);
  });
});
