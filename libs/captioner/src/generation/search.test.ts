import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { beamSearch } from './beam-search.js';
import { greedySearch } from './greedy-search.js';
import { resolveSearchOptions } from './search-options.js';
import { BigramSession, randomTable } from './bigram-session.test-helper.js';
import { repeatedNgramBans } from './repeat-ban.js';

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
    expect(() => resolveSearchOptions({ noRepeatNgramSize: -1 })).toThrow(
      /noRepeatNgramSize must be an integer from 0/,
    );
  });
});

describe('noRepeatNgramSize', () => {
  it('bans exactly the ids that would complete an n-gram the caption already has', () => {
    // "a large red square and a large red": n = 4 bans "square", as does n = 2 ("red square" exists).
    const words = [10, 11, 12, 13, 14, 10, 11, 12];
    expect(repeatedNgramBans(words, 4)).toEqual(new Set([13]));
    expect(repeatedNgramBans(words, 2)).toEqual(new Set([13]));
    expect(repeatedNgramBans(words, 1)).toEqual(new Set([10, 11, 12, 13, 14]));
    expect(repeatedNgramBans(words, 0)).toBeNull();
    expect(repeatedNgramBans([10, 11], 3)).toBeNull();
  });

  it('stops greedy and beam search from looping, and beam width 1 still equals greedy', async () => {
    // 4 → 5 → 4 → 5 … is the likeliest path; the end marker is always possible.
    const table = Array.from({ length: 7 }, () => [0, 0, 0, 0.1, 0.3, 0.3, 0.3]);
    table[2] = [0, 0, 0, 0.1, 0.6, 0.2, 0.1];
    table[4] = [0, 0, 0, 0.1, 0.05, 0.6, 0.25];
    table[5] = [0, 0, 0, 0.1, 0.6, 0.05, 0.25];
    const base = resolveSearchOptions({ maxLength: 8 });
    const [looping] = await greedySearch(new BigramSession(table, 1), TOKENS, base);
    expect(looping!.tokens).toEqual([4, 5, 4, 5, 4, 5, 4, 5]);
    const options = { ...base, noRepeatNgramSize: 2 };
    const [greedy] = await greedySearch(new BigramSession(table, 1), TOKENS, options);
    const bigrams = greedy!.tokens.slice(1).map((t, i) => `${greedy!.tokens[i]} ${t}`);
    expect(new Set(bigrams).size).toBe(bigrams.length);
    // 4 5 4, then 5 is banned after 4 ("4 5" exists): 6; from 6 (ties → lower id) 4; after 4 both 5 and 6 are banned,
    // and the end marker (0.1) beats repeating 4 (0.05).
    expect(greedy!.tokens).toEqual([4, 5, 4, 6, 4]);
    expect(greedy!.finished).toBe(true);
    const [beam1] = await beamSearch(new BigramSession(table, 1), 1, TOKENS, { ...options, beamWidth: 1 });
    expect(beam1).toEqual(greedy);
    const [beam3] = await beamSearch(new BigramSession(table, 3), 1, TOKENS, { ...options, beamWidth: 3 });
    const beamBigrams = beam3!.tokens.slice(1).map((t, i) => `${beam3!.tokens[i]} ${t}`);
    expect(new Set(beamBigrams).size).toBe(beamBigrams.length);
  });
});
