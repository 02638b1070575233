import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
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
