import { mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureCache } from './feature-cache.js';

let dir: string;
const images: string[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imgcap-feature-cache-'));
  for (const name of ['a', 'b']) {
    images.push(join(dir, `${name}.jpg`));
    await writeFile(images.at(-1)!, `pixels of ${name}`);
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const features = (seed: number) => Float32Array.from({ length: 12 }, (_, i) => seed + i / 10);

async function entryOf(cache: FeatureCache, image: string): Promise<string> {
  const key = await cache.keyOf(image);
  return join(dir, 'cache', 'patch4@8', key.slice(0, 2), `${key}.f32`);
}

describe('feature-cache entries that look right but are not', () => {
  it("are re-extracted with a warning: same-size garbage, zeros, another image's features", async () => {
    const damaged: string[] = [];
    const cache = new FeatureCache(join(dir, 'cache'), 'patch4@8', 12, (file, reason) =>
      damaged.push(`${file}: ${reason}`),
    );
    await cache.put(images[0]!, features(1));
    await cache.put(images[1]!, features(2));
    expect(await cache.get(images[0]!)).toEqual(features(1));
    const [entryA, entryB] = [await entryOf(cache, images[0]!), await entryOf(cache, images[1]!)];
    const whole = await readFile(entryA);

    const garbage = Buffer.from(whole);
    garbage.fill(7, 60); // the features' bytes, same size
    await writeFile(entryA, garbage);
    expect(await cache.get(images[0]!)).toBeUndefined();
    await writeFile(entryA, Buffer.alloc(whole.length));
    expect(await cache.get(images[0]!)).toBeUndefined();
    await writeFile(entryA, await readFile(entryB)); // b's entry under a's key
    expect(await cache.get(images[0]!)).toBeUndefined();
    await writeFile(entryA, new Uint8Array(features(1).buffer)); // the old, header-less format
    expect(await cache.get(images[0]!)).toBeUndefined();

    expect(damaged.map((d) => d.split(': ')[1])).toEqual([
      'checksum mismatch',
      'not a feature-cache entry (or an older format)',
      "another image's features",
      '48 bytes, expected 92',
    ]);
    expect(cache.damaged).toBe(4);
    await cache.put(images[0]!, features(1));
    expect(await cache.get(images[0]!)).toEqual(features(1));
    expect((await readdir(join(entryA, '..'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('the index of image keys', () => {
  it('spares a second run from reading an unchanged image, and re-hashes one whose size or mtime changed', async () => {
    const cacheDir = join(dir, 'indexed');
    const image = join(dir, 'indexed.jpg');
    await writeFile(image, 'first pixels');
    await utimes(image, 1_700_000_000, 1_700_000_000);
    const first = new FeatureCache(cacheDir, 'patch4@8', 12);
    await first.loadIndex();
    await first.put(image, features(3));
    await first.saveIndex();
    const key = await first.keyOf(image);

    // Same size and mtime, different bytes: the index is trusted (make's rule), so the key is the old one.
    await writeFile(image, 'other pixels');
    await utimes(image, 1_700_000_000, 1_700_000_000);
    const second = new FeatureCache(cacheDir, 'patch4@8', 12);
    await second.loadIndex();
    expect(await second.keyOf(image)).toBe(key);
    expect(await second.has(image)).toBe(true);

    // A new mtime: hashed again, a new key, no entry.
    await utimes(image, new Date(), new Date());
    const third = new FeatureCache(cacheDir, 'patch4@8', 12);
    await third.loadIndex();
    expect(await third.keyOf(image)).not.toBe(key);
    expect(await third.has(image)).toBe(false);
  });

  it('counts an entry as held by its size alone; get still verifies it', async () => {
    const cache = new FeatureCache(join(dir, 'lazy'), 'patch4@8', 12);
    await cache.put(images[0]!, features(4));
    const entry = join(dir, 'lazy', 'patch4@8', (await cache.keyOf(images[0]!)).slice(0, 2));
    const [file] = await readdir(entry);
    const bytes = await readFile(join(entry, file!));
    await writeFile(join(entry, file!), Buffer.alloc(bytes.length, 1));
    expect(await cache.has(images[0]!)).toBe(true);
    expect(await cache.get(images[0]!)).toBeUndefined();
    await writeFile(join(entry, file!), bytes.subarray(0, 20));
    expect(await cache.has(images[0]!)).toBe(false);
  });
});

describe('float16 entries', () => {
  it('take half the bytes, in their own folder, and read back within float16 rounding', async () => {
    const half = new FeatureCache(join(dir, 'f16'), 'patch4@8', 12, () => {}, 'float16');
    expect(half.entryBytes).toBe(8 + 32 + 4 + 24);
    expect(half.directory).toBe(join(dir, 'f16', 'patch4@8-f16'));
    const values = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i) * 3);
    await half.put(images[1]!, values);
    const back = await half.get(images[1]!);
    back!.forEach((v, i) => expect(Math.abs(v - values[i]!)).toBeLessThanOrEqual(Math.abs(values[i]!) * 2 ** -11));
    // A float32 cache beside it does not see float16 entries.
    expect(await new FeatureCache(join(dir, 'f16'), 'patch4@8', 12).get(images[1]!)).toBeUndefined();
  });
});

describe('what a run trains on', () => {
  it('is what the cache stores: put hands back the float16-rounded features', async () => {
    const half = new FeatureCache(join(dir, 'f16-put'), 'patch4@8', 12, () => {}, 'float16');
    const values = Float32Array.from({ length: 12 }, (_, i) => 1 / (i + 3));
    const stored = await half.put(images[0]!, values);
    expect(stored).toEqual(await half.get(images[0]!));
    expect(stored).not.toEqual(values);
    const full = new FeatureCache(join(dir, 'f32-put'), 'patch4@8', 12);
    expect(await full.put(images[0]!, values)).toBe(values);
  });
});
