import { describe, expect, it } from 'vitest';
import { deriveSeed, mulberry32, shuffleInPlace } from './prng.js';
import { assignSplitsByImage } from './split.js';

const ids = Array.from({ length: 200 }, (_, i) => `${1000 + i}.jpg`);

describe('mulberry32', () => {
  it('continues the identical sequence from a saved state', () => {
    const rng = mulberry32(42);
    rng.next();
    rng.next();
    const saved = rng.state;
    const expected = [rng.next(), rng.next(), rng.next()];
    const restored = mulberry32(saved);
    expect([restored.next(), restored.next(), restored.next()]).toEqual(expected);
  });

  it('gives different streams for different epochs of one seed', () => {
    const order = (epoch: number) => shuffleInPlace([...Array(20).keys()], mulberry32(deriveSeed(7, epoch)));
    expect(order(0)).toEqual(order(0));
    expect(order(0)).not.toEqual(order(1));
  });
});

describe('assignSplitsByImage', () => {
  it('puts every image in exactly one split, in the requested proportions', () => {
    // Caption rows repeat ids; the split must still be per image.
    const rows = ids.flatMap((id) => [id, id, id]);
    const splits = assignSplitsByImage(rows, 3, { train: 0.8, val: 0.1, test: 0.1 });
    expect(splits.size).toBe(200);
    const counts = { train: 0, val: 0, test: 0 };
    for (const split of splits.values()) counts[split]++;
    expect(counts).toEqual({ train: 160, val: 20, test: 20 });
  });

  it('is deterministic from the seed and independent of input order', () => {
    const a = assignSplitsByImage(ids, 5);
    const b = assignSplitsByImage([...ids].reverse(), 5);
    expect([...a].sort()).toEqual([...b].sort());
    const c = assignSplitsByImage(ids, 6);
    expect([...a].sort()).not.toEqual([...c].sort());
  });

  it('names fractions that do not sum to 1', () => {
    expect(() => assignSplitsByImage(ids, 1, { train: 0.9, val: 0.2, test: 0 })).toThrow(
      'splitFractions must be non-negative and sum to 1, got {"train":0.9,"val":0.2,"test":0}',
    );
  });
});
