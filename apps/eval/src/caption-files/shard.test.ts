import { describe, expect, it } from 'vitest';
import { fillShard, parseShardFlag, resolveShard, shardOf } from './shard.js';

describe('parseShardFlag (--shard i/N)', () => {
  it('reads 0-based i/N', () => {
    expect(parseShardFlag('0/2')).toEqual({ index: 0, count: 2, source: '--shard' });
    expect(parseShardFlag(' 3 / 4 ')).toMatchObject({ index: 3, count: 4 });
  });

  it.each(['2/2', '5/4', '0/0', '-1/3', '1', '1/', 'a/b', '1.5/3', ''])('refuses %j', (value) => {
    expect(() => parseShardFlag(value)).toThrow(/must be i\/N with 0 ≤ i < N/);
  });
});

describe('resolveShard', () => {
  it('is unsharded with neither flag nor env', () => {
    expect(resolveShard({}, {})).toBeUndefined();
  });

  it('prefers --shard over the Kubernetes env', () => {
    const env = { JOB_COMPLETION_INDEX: '3', IMGCAP_SHARD_COUNT: '8' };
    expect(resolveShard({ shard: parseShardFlag('1/2') }, env)).toMatchObject({ index: 1, count: 2 });
  });

  it('takes the index from JOB_COMPLETION_INDEX and the count from --shards or IMGCAP_SHARD_COUNT', () => {
    expect(resolveShard({ shards: 4 }, { JOB_COMPLETION_INDEX: '2' })).toEqual({
      index: 2,
      count: 4,
      source: 'JOB_COMPLETION_INDEX and --shards',
    });
    expect(resolveShard({}, { JOB_COMPLETION_INDEX: '0', IMGCAP_SHARD_COUNT: '3' })).toMatchObject({
      index: 0,
      count: 3,
    });
    expect(resolveShard({ shards: 5 }, { JOB_COMPLETION_INDEX: '4', IMGCAP_SHARD_COUNT: '3' })).toMatchObject({
      count: 5,
    });
  });

  it('refuses half a setting and out-of-range values, naming the flag or variable', () => {
    expect(() => resolveShard({}, { JOB_COMPLETION_INDEX: '1' })).toThrow(
      /JOB_COMPLETION_INDEX=1 is set but the shard count is not: pass --shards N or set IMGCAP_SHARD_COUNT/,
    );
    expect(() => resolveShard({ shards: 4 }, {})).toThrow(/--shards 4 needs JOB_COMPLETION_INDEX/);
    expect(() => resolveShard({}, { IMGCAP_SHARD_COUNT: '4' })).toThrow(
      /IMGCAP_SHARD_COUNT 4 needs JOB_COMPLETION_INDEX/,
    );
    expect(() => resolveShard({ shards: 4 }, { JOB_COMPLETION_INDEX: '4' })).toThrow(
      /JOB_COMPLETION_INDEX=4 is not below the shard count 4 \(--shards\)/,
    );
    expect(() => resolveShard({}, { JOB_COMPLETION_INDEX: 'x', IMGCAP_SHARD_COUNT: '2' })).toThrow(
      /env JOB_COMPLETION_INDEX=x is not an integer/,
    );
    expect(() => resolveShard({}, { JOB_COMPLETION_INDEX: '0', IMGCAP_SHARD_COUNT: '0' })).toThrow(
      /env IMGCAP_SHARD_COUNT=0 is not an integer from 1/,
    );
    expect(() => resolveShard({ shard: parseShardFlag('0/2'), shards: 2 }, {})).toThrow(
      /either --shard i\/N or --shards N/,
    );
  });
});

describe('shardOf', () => {
  const keys = Array.from({ length: 2000 }, (_, i) => `2019/${String(i).padStart(5, '0')}.jpg`);

  it('depends only on the key: the same in any listing order', () => {
    const forward = new Map(keys.map((key) => [key, shardOf(key, 7)]));
    const backward = new Map([...keys].reverse().map((key) => [key, shardOf(key, 7)]));
    expect(backward).toEqual(forward);
  });

  it('puts every key in exactly one shard in range, spread roughly evenly (also for an even count)', () => {
    for (const count of [1, 2, 4, 7]) {
      const sizes = new Array<number>(count).fill(0);
      for (const key of keys) sizes[shardOf(key, count)]++;
      expect(sizes.reduce((a, b) => a + b)).toBe(keys.length);
      for (const size of sizes) expect(Math.abs(size - keys.length / count)).toBeLessThan((keys.length / count) * 0.15);
    }
  });
});

describe('fillShard', () => {
  it('replaces every {shard} with the index, 0 when unsharded', () => {
    expect(fillShard('out/captions-{shard}.jsonl', parseShardFlag('3/4'))).toBe('out/captions-3.jsonl');
    expect(fillShard('{shard}/c-{shard}.csv', undefined)).toBe('0/c-0.csv');
    expect(fillShard('plain.jsonl', parseShardFlag('1/2'))).toBe('plain.jsonl');
  });
});
