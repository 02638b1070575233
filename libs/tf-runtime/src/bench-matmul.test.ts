import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { benchMatMul } from './bench-matmul.js';

describe('benchMatMul', () => {
  it('reports a plausible GFLOP/s from the products it timed, leaving no tensors', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const gflops = await benchMatMul(32, { minMs: 20 });
    expect(tf.memory().numTensors).toBe(before);
    // A 2-core machine does well under 1000 GFLOP/s; zero or NaN would mean nothing was timed.
    expect(gflops).toBeGreaterThan(0.001);
    expect(gflops).toBeLessThan(1000);
  });

  it('rejects a size that is not a positive integer, naming it', async () => {
    await expect(benchMatMul(0)).rejects.toThrow('benchMatMul: n must be a positive integer, got 0');
  });
});
