import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { beamSearch } from './beam-search.js';
import { greedySearch } from './greedy-search.js';
import { resolveSearchOptions } from './search-options.js';
import { BigramSession, randomTable } from './bigram-session.test-helper.js';

const TOKENS = { start: 2, end: 3, banned: [0, 1, 2] };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('greedy and beam search', () => {
  it('beam width 1 equals greedy decoding, caption for caption', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const table = randomTable(12, seed);
      const options = resolveSearchOptions({ maxLength: 9, lengthPenalty: 0.7 });
      const greedy = await greedySearch(new BigramSession(table, 3), TOKENS, options);
      const beam = await beamSearch(new BigramSession(table, 3), 3, TOKENS, { ...options, beamWidth: 1 });
      expect(beam).toEqual(greedy);
    }
  });

  it('beam search finds the likelier caption greedy decoding misses', async () => {
    // start → 4 (0.6) or 5 (0.4); 4 → end 0.5; 5 → end 0.9. Greedy: [4] (0.30); best: [5] (0.36).
    const table = Array.from({ length: 6 }, () => [0, 0, 0, 0.2, 0.4, 0.4]);
    table[2] = [0, 0, 0, 0, 0.6, 0.4];
    table[4] = [0, 0, 0, 0.5, 0.25, 0.25];
    table[5] = [0, 0, 0, 0.9, 0.05, 0.05];
    const options = resolveSearchOptions({ maxLength: 5, lengthPenalty: 0 });
    const [greedy] = await greedySearch(new BigramSession(table, 1), TOKENS, options);
    const [beam] = await beamSearch(new BigramSession(table, 2), 1, TOKENS, { ...options, beamWidth: 2 });
    expect(greedy!.tokens).toEqual([4]);
    expect(beam!.tokens).toEqual([5]);
    expect(beam!.logProb).toBeCloseTo(Math.log(0.36), 5);
    expect(beam!.finished).toBe(true);
  });

  it('stops at maxLength with an unfinished caption and never emits banned ids', async () => {
    const table = Array.from({ length: 6 }, () => [0.3, 0.3, 0.3, 0, 0.05, 0.05]);
    const options = resolveSearchOptions({ maxLength: 4, beamWidth: 3 });
    const [greedy] = await greedySearch(new BigramSession(table, 1), TOKENS, options);
    const [beam] = await beamSearch(new BigramSession(table, 3), 1, TOKENS, options);
    for (const h of [greedy!, beam!]) {
      expect(h.tokens).toHaveLength(4);
      expect(h.finished).toBe(false);
      expect(h.tokens.every((t) => t === 4 || t === 5)).toBe(true);
      expect(h.attention).toHaveLength(4);
    }
  });

  it('decodes a batch exactly as it decodes each image alone', async () => {
    const table = randomTable(10, 7);
    const options = resolveSearchOptions({ beamWidth: 3, maxLength: 8 });
    const batch = await beamSearch(new BigramSession(table, 6), 2, TOKENS, options);
    const alone = await beamSearch(new BigramSession(table, 3), 1, TOKENS, options);
    expect(batch[0]).toEqual(alone[0]);
    expect(batch[1]).toEqual(alone[0]);
  });

  it('leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    await beamSearch(new BigramSession(randomTable(8, 3), 4), 2, TOKENS, resolveSearchOptions({ beamWidth: 2 }));
    await greedySearch(new BigramSession(randomTable(8, 3), 2), TOKENS, resolveSearchOptions());
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects unknown and out-of-range options by name', () => {
    expect(() => resolveSearchOptions({ numBeams: 3 } as never)).toThrow(/Unknown generation option "numBeams"/);
    expect(() => resolveSearchOptions({ beamWidth: 0 })).toThrow(/beamWidth/);
    expect(() => resolveSearchOptions({ maxLength: 40 }, 35)).toThrow(/maxLength must be an integer from 1 to 35/);
  });
});
