import { describe, expect, it } from 'vitest';
import type { LoopState } from './checkpoints.js';
import { recordBest } from './loop.js';

const state = (): LoopState => ({
  epoch: 0,
  batchInEpoch: 0,
  globalStep: 10,
  examplesSeen: 0,
  best: null,
  epochsWithoutImprovement: 0,
  trainSeconds: 0,
});

describe('recordBest', () => {
  it('keeps the lowest validation loss in cross-entropy epochs', () => {
    const s = state();
    expect(recordBest(s, 'loss', { loss: 2, cider: 0.1 })).toBe(true);
    s.epoch = 1;
    expect(recordBest(s, 'loss', { loss: 2.5, cider: 0.9 })).toBe(false);
    expect(s.best).toEqual({ value: 2, step: 10, epoch: 0, metric: 'loss' });
    expect(s.epochsWithoutImprovement).toBe(1);
  });

  it('keeps the highest validation CIDEr-D in self-critical epochs, counting epochs without one', () => {
    const s = { ...state(), best: { value: 1.8, step: 10, epoch: 0, metric: 'cider' as const } };
    s.epoch = 1;
    expect(recordBest(s, 'cider', { loss: 0.9, cider: 1.7 })).toBe(false);
    expect(recordBest(s, 'cider', { loss: 0.9, cider: NaN })).toBe(false);
    expect(s.epochsWithoutImprovement).toBe(2);
    s.epoch = 3;
    s.globalStep = 40;
    expect(recordBest(s, 'cider', { loss: 1.1, cider: 2.2 })).toBe(true);
    expect(s.best).toEqual({ value: 2.2, step: 40, epoch: 3, metric: 'cider' });
    expect(s.epochsWithoutImprovement).toBe(0);
  });
});
