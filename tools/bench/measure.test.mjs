import { describe, expect, it } from 'vitest';
import { NOISY_SPREAD, median, rateSummary, summarize, timeRepeats } from './measure.mjs';

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values, regardless of order', () => {
    expect(median([9, 1, 5])).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('refuses an empty sample', () => {
    expect(() => median([])).toThrow(/at least one repeat/);
  });
});

describe('summarize', () => {
  it('reports median, min, max and repeats rounded to 3 significant digits', () => {
    expect(summarize([10.04, 10.0, 10.01234])).toEqual({ median: 10, min: 10, max: 10, repeats: 3, noisy: false });
    expect(summarize([1.23456, 2, 3])).toMatchObject({ median: 2, min: 1.23 });
  });

  it(`flags a spread above ${NOISY_SPREAD * 100}% of the median as noisy, and not one below`, () => {
    expect(summarize([100, 105, 120]).noisy).toBe(false);
    expect(summarize([100, 105, 127]).noisy).toBe(true);
  });
});

describe('timeRepeats', () => {
  it('runs the warm-ups untimed, then returns one sample per timed repeat', async () => {
    let calls = 0;
    const samples = await timeRepeats(async () => void calls++, { repeats: 3, warmup: 2 });
    expect(calls).toBe(5);
    expect(samples).toHaveLength(3);
  });

  it('measures the time the run takes', async () => {
    const [ms] = await timeRepeats(() => new Promise((done) => setTimeout(done, 30)), { repeats: 1, warmup: 0 });
    expect(ms).toBeGreaterThanOrEqual(25);
  });

  it('refuses a repeat count that is not a positive integer', async () => {
    await expect(timeRepeats(() => {}, { repeats: 0 })).rejects.toThrow(/repeats must be a positive integer, got 0/);
  });
});

describe('rateSummary', () => {
  it('turns elapsed milliseconds into work per second', () => {
    expect(rateSummary(8, [1000, 2000, 4000])).toMatchObject({ median: 4, min: 2, max: 8, noisy: true });
  });
});

describe('withTensorAudit', () => {
  it('counts the tensors a group leaves behind, and zero for one that cleans up', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    const { withTensorAudit } = await import('./measure.mjs');
    const clean = await withTensorAudit(async () => (tf.tidy(() => tf.add(tf.ones([2]), 1)).dispose(), { figure: 1 }));
    expect(clean).toEqual({ figure: 1, leaked_tensors: 0 });
    const kept = [];
    const leaky = await withTensorAudit(async () => (kept.push(tf.ones([2]), tf.zeros([3])), {}));
    expect(leaky.leaked_tensors).toBe(2);
    tf.dispose(kept);
  });
});
