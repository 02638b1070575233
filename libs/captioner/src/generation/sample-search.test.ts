import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { BigramSession, randomTable } from './bigram-session.test-helper.js';
import { greedySearch } from './greedy-search.js';
import { sampleSearch } from './sample-search.js';
import { resolveSearchOptions } from './search-options.js';

const TOKENS = { start: 2, end: 3, banned: [0, 1, 2] };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const options = (overrides: Record<string, unknown> = {}) =>
  resolveSearchOptions({ sample: true, maxLength: 9, ...overrides });

describe('sampleSearch', () => {
  it('at temperature 0, and as temperature goes to 0, equals greedy decoding', async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const table = randomTable(12, seed);
      const greedy = await greedySearch(new BigramSession(table, 4), TOKENS, options());
      for (const temperature of [0, 1e-5]) {
        const sampled = await sampleSearch(new BigramSession(table, 4), TOKENS, options({ temperature }), seed);
        expect(sampled).toEqual(greedy);
      }
    }
  });

  it('repeats exactly with the same seed and differs with another', async () => {
    const table = randomTable(12, 5);
    const draw = (seed: number) => sampleSearch(new BigramSession(table, 8), TOKENS, options(), seed);
    const first = await draw(42);
    expect(await draw(42)).toEqual(first);
    expect((await draw(43)).map((h) => h.tokens)).not.toEqual(first.map((h) => h.tokens));
    // Each row draws from its own stream: a row's caption does not depend on how many rows are decoded with it.
    const alone = await sampleSearch(new BigramSession(table, 3), TOKENS, options(), 42);
    expect(alone).toEqual(first.slice(0, 3));
  });

  it("draws the first word with the model's probabilities, and top-k 1 is greedy", async () => {
    // start → 4: 0.5, 5: 0.3, 6: 0.2; every word then ends the caption.
    const table = Array.from({ length: 7 }, () => [0, 0, 0, 1, 0, 0, 0]);
    table[2] = [0, 0, 0, 0, 0.5, 0.3, 0.2];
    const rows = 4000;
    const drawn = await sampleSearch(new BigramSession(table, rows), TOKENS, options(), 7);
    const share = (token: number) => drawn.filter((h) => h.tokens[0] === token).length / rows;
    expect(share(4)).toBeCloseTo(0.5, 1);
    expect(share(5)).toBeCloseTo(0.3, 1);
    expect(share(6)).toBeCloseTo(0.2, 1);
    expect(drawn.every((h) => h.finished && h.tokens.length === 1)).toBe(true);
    const top1 = await sampleSearch(new BigramSession(table, 50), TOKENS, options({ topK: 1 }), 7);
    expect(new Set(top1.map((h) => h.tokens[0]))).toEqual(new Set([4]));
    const top2 = await sampleSearch(new BigramSession(table, 400), TOKENS, options({ topK: 2 }), 7);
    expect(new Set(top2.map((h) => h.tokens[0]))).toEqual(new Set([4, 5]));
  });

  it('sharpens at low temperature and flattens at high', async () => {
    const table = Array.from({ length: 7 }, () => [0, 0, 0, 1, 0, 0, 0]);
    table[2] = [0, 0, 0, 0, 0.5, 0.3, 0.2];
    const shareOf4 = async (temperature: number) => {
      const drawn = await sampleSearch(new BigramSession(table, 2000), TOKENS, options({ temperature }), 3);
      return drawn.filter((h) => h.tokens[0] === 4).length / 2000;
    };
    // p ∝ p^(1/T): T = 0.5 → 0.25/0.38 = 0.66; T = 2 → 0.707/1.68 = 0.42.
    expect(await shareOf4(0.5)).toBeCloseTo(0.66, 1);
    expect(await shareOf4(2)).toBeCloseTo(0.42, 1);
  });

  it('never emits banned ids or repeated n-grams, and stops at maxLength', async () => {
    const table = Array.from({ length: 6 }, () => [0.3, 0.3, 0.3, 0, 0.05, 0.05]);
    const drawn = await sampleSearch(
      new BigramSession(table, 30),
      TOKENS,
      options({ maxLength: 4, noRepeatNgramSize: 1 }),
      1,
    );
    for (const h of drawn) {
      expect(h.tokens.every((t) => t === 4 || t === 5)).toBe(true);
      expect(new Set(h.tokens).size).toBe(h.tokens.length);
    }
  });

  it('refuses options that do not go together, naming them', () => {
    expect(() => resolveSearchOptions({ sample: true, beamWidth: 3 })).toThrow(/sample and beamWidth 3/);
    expect(() => resolveSearchOptions({ samples: 5 })).toThrow(/samples 5 needs sample: true/);
    expect(() => resolveSearchOptions({ sample: true, temperature: -1 })).toThrow(/temperature/);
    expect(() => resolveSearchOptions({ sample: true, topK: 1.5 })).toThrow(/topK/);
    expect(() => resolveSearchOptions({ sample: true, seed: -2 })).toThrow(/seed/);
  });
});
