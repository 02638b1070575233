// TextVectorization.adapt() as Keras 2.13 runs it, against vocabularies computed by Keras's own steps
// (fixtures/keras-vocabulary/generate.py) on real COCO captions, cuts inside ties included, and on hand-written
// edge cases; then tokenizer.keras written in the format of the Keras project's own file and read back.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { unzipSync, strFromU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adaptKerasVocabulary, adaptTextVectorization } from './keras-adapt.js';
import { loadKerasTokenizer } from './keras-tokenizer-file.js';
import { saveKerasTokenizer } from './keras-tokenizer-save.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'keras-vocabulary');
const SHARED = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data');
let captions: string[];
let dir: string;
beforeAll(async () => {
  const json = JSON.parse(
    gunzipSync(await readFile(join(SHARED, 'coco-captions', 'data', 'val2017_captions.json.gz'))).toString('utf8'),
  ) as { captions: Array<[number, string]> };
  captions = json.captions.map(([, caption]) => `<start> ${caption} <end>`);
  dir = await mkdtemp(join(tmpdir(), 'imgcap-keras-adapt-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const reference = async (file: string) => (await readFile(join(FIXTURES, file), 'utf8')).split('\n');

describe("adapt(): the vocabulary Keras's TextVectorization learns", () => {
  it.each([
    ['val2017_all.txt', null],
    ['val2017_1002.txt', 1002],
    ['val2017_3002.txt', 3002],
  ] as const)('%s: COCO val2017 captions as the seed wrapped them (max_tokens %s)', async (file, maxTokens) => {
    const expected = await reference(file);
    expect(adaptKerasVocabulary(captions, { maxTokens })).toEqual(expected);
    if (maxTokens) expect(expected).toHaveLength(maxTokens);
  });

  it('lowers ASCII letters only, splits on ASCII whitespace only, and breaks ties by UTF-8 bytes', async () => {
    const { texts, vocabulary } = JSON.parse(await readFile(join(FIXTURES, 'tricky.json'), 'utf8')) as {
      texts: string[];
      vocabulary: string[];
    };
    expect(adaptKerasVocabulary(texts, { maxTokens: null })).toEqual(vocabulary);
    expect(vocabulary).toContain('École'); // tf.strings.lower leaves É
    expect(vocabulary).toContain('no\u00a0break'); // a no-break space is no separator
    expect(vocabulary.indexOf('😀')).toBeLessThan(vocabulary.indexOf('ﬁ')); // UTF-16 order would swap them
  });

  it('refuses a max_tokens that leaves no room for a word', () => {
    expect(() => adaptKerasVocabulary(['a b'], { maxTokens: 2 })).toThrow(/max_tokens must be an integer ≥ 3/);
  });
});

describe("tokenizer.keras written as the Keras project's s_tokenizer.keras is", () => {
  it('has the same entries, configuration and layer layout, and reads back to the same tokenizer', async () => {
    const tokenizer = adaptTextVectorization(captions, { maxTokens: 3002, outputSequenceLength: 36 });
    const path = join(dir, 'tokenizer.keras');
    await saveKerasTokenizer(tokenizer, path);
    const ours = unzipSync(new Uint8Array(await readFile(path)));
    const seed = unzipSync(new Uint8Array(await readFile(join(SHARED, 'seed', 's_tokenizer.keras'))));
    expect(Object.keys(ours)).toEqual(Object.keys(seed));
    const config = (files: typeof ours) => JSON.parse(strFromU8(files['config.json']!)) as Record<string, unknown>;
    const settings = (files: typeof ours) =>
      (config(files) as { config: { layers: Array<{ config: Record<string, unknown> }> } }).config.layers[1]!.config;
    // The same document but for what this tokenizer learned differently (its size).
    expect({ ...settings(ours), max_tokens: 10_000, vocabulary_size: 10_000 }).toEqual(settings(seed));
    expect({ ...config(ours), config: null }).toEqual({ ...config(seed), config: null });
    const asset = 'assets/_layer_checkpoint_dependencies/text_vectorization/vocabulary.txt';
    expect(strFromU8(ours[asset]!)).toBe((await reference('val2017_3002.txt')).join('\n'));
    const back = await loadKerasTokenizer(path);
    expect(back.toJSON()).toEqual(tokenizer.toJSON());
    expect(Array.from(back.vectorize('<start> A dog runs. <end>'))).toEqual(
      Array.from(tokenizer.vectorize('<start> A dog runs. <end>')),
    );
  });
});

describe('tokenizer.keras entries that inflate past a sane size', () => {
  it('refuses them from the zip directory, naming the entry and the cap, before inflating', async () => {
    const seed = unzipSync(new Uint8Array(await readFile(join(SHARED, 'seed', 's_tokenizer.keras'))));
    const asset = 'assets/_layer_checkpoint_dependencies/text_vectorization/vocabulary.txt';
    for (const [entry, size, cap] of [
      [asset, 65 * 2 ** 20, 64 * 2 ** 20],
      ['config.json', 2 * 2 ** 20, 2 ** 20],
    ] as const) {
      const bomb = join(dir, `bomb-${entry.split('/').pop()}.keras`);
      await writeFile(bomb, zipSync({ ...seed, [entry]: [new Uint8Array(size), { level: 9 }] }));
      expect((await readFile(bomb)).length).toBeLessThan(2 ** 20); // a small file that would inflate to many MB
      const rss = process.memoryUsage().rss;
      await expect(loadKerasTokenizer(bomb)).rejects.toThrow(
        `${entry} inflates to ${size} bytes, more than the ${cap} allowed`,
      );
      expect(process.memoryUsage().rss - rss).toBeLessThan(32 * 2 ** 20);
    }
  });
});
