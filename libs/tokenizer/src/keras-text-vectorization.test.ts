import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KerasTextVectorizer, kerasStandardize } from './keras-text-vectorization.js';
import { loadKerasTokenizer } from './keras-tokenizer-file.js';
import { tokenizerFromJSON } from './tokenizer-json.js';

// The Keras project's own files (../shared/data/seed/README.md).
const SEED = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'seed');

let seedTokenizer: KerasTextVectorizer;
let dir: string;
beforeAll(async () => {
  seedTokenizer = await loadKerasTokenizer(join(SEED, 's_tokenizer.keras'));
  dir = await mkdtemp(join(tmpdir(), 'imgcap-keras-tokenizer-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** `captions_generated.csv`: image path, caption (no caption holds a comma). */
async function generatedCaptions(): Promise<string[]> {
  const lines = (await readFile(join(SEED, 'captions_generated.csv'), 'utf8')).trim().split('\n').slice(1);
  return lines.map((line) => line.slice(line.indexOf(',') + 1));
}

describe("the Keras project's tokenizer.keras", () => {
  it('loads with its 10,000 ids, its markers being the words start and end, and its sequence length', () => {
    expect(seedTokenizer.vocabSize).toBe(10_000);
    expect(seedTokenizer.standardize).toBe('lower_and_strip_punctuation');
    expect(seedTokenizer.outputSequenceLength).toBe(36);
    expect([seedTokenizer.idToWord(0), seedTokenizer.idToWord(1), seedTokenizer.idToWord(2)]).toEqual([
      '',
      '[UNK]',
      'a',
    ]);
    expect(seedTokenizer.markers).toEqual({ pad: 0, unknown: 1, start: 4, end: 3 });
    expect(seedTokenizer.bannedInCaptions).toEqual([0, 4]);
  });

  it('round-trips every caption its model generated (captions_generated.csv): in-vocabulary ids, the same words back', async () => {
    const captions = await generatedCaptions();
    expect(captions).toHaveLength(50);
    expect(captions.filter((c) => c.includes('[UNK]'))).toHaveLength(1);
    for (const caption of captions) {
      const ids = seedTokenizer.encode(caption, 36);
      const words = caption.split(' ');
      expect(Array.from(ids.slice(0, words.length + 2))).toEqual([
        4,
        ...words.map((w) => seedTokenizer.wordToId(w)),
        3,
      ]);
      // Every word is in the vocabulary except where the model itself emitted [UNK] (one caption does), which
      // standardizes to "unk", is out of vocabulary, and decodes back to [UNK].
      words.forEach((word, i) => expect(ids[i + 1] === 1, word).toBe(word === '[UNK]'));
      expect(seedTokenizer.decode(ids)).toBe(caption);
    }
  });

  it('vectorizes the training text "<start> caption <end>" as its TextVectorization does', () => {
    const ids = seedTokenizer.vectorize('<start> Two young, White males are outside near many bushes. <end>');
    expect(ids).toHaveLength(36);
    const words = ['start', 'two', 'young', 'white', 'males', 'are', 'outside', 'near', 'many', 'bushes', 'end'];
    expect(Array.from(ids.slice(0, 11))).toEqual(words.map((w) => seedTokenizer.wordToId(w)));
    expect(ids.slice(11).every((id) => id === 0)).toBe(true);
    expect(Array.from(ids)).toEqual(
      Array.from(seedTokenizer.encode('Two young, White males are outside near many bushes.', 36)),
    );
  });
});

describe('Keras TextVectorization semantics', () => {
  it("standardizes as Keras: ASCII-only lowercase (tf.strings.lower without an encoding), then Keras's punctuation regex", () => {
    expect(kerasStandardize("<START> A Dog's ball, (red)!", 'lower_and_strip_punctuation')).toBe(
      'start a dogs ball red',
    );
    expect(kerasStandardize('ÉLAN Über', 'lower_and_strip_punctuation')).toBe('Élan Über');
    expect(kerasStandardize('a-b.c/d:e;f=g?h@i[j]k^l_m`n{o|p}q~r"s#t$u%v&w*x+y', 'lower_and_strip_punctuation')).toBe(
      'abcdefghijklmnopqrstuvwxy',
    );
    expect(kerasStandardize('Mixed, Case!', 'lower')).toBe('mixed, case!');
    expect(kerasStandardize('Mixed, Case!', 'strip_punctuation')).toBe('Mixed Case');
    expect(kerasStandardize('Mixed, Case!', null)).toBe('Mixed, Case!');
  });

  it('splits on ASCII whitespace runs only, maps unknown words to [UNK] and pads or cuts to the length', () => {
    const tokenizer = new KerasTextVectorizer(['', '[UNK]', 'a', 'end', 'start', 'dog', 'runs']);
    expect(Array.from(tokenizer.vectorize('a\tdog\n\n runs\u00a0fast  cat', 8))).toEqual([2, 5, 1, 1, 0, 0, 0, 0]);
    expect(Array.from(tokenizer.vectorize('a dog runs a dog', 3))).toEqual([2, 5, 6]);
    // A caption word equal to a marker word gets the marker's id, as in the Keras project.
    expect(Array.from(tokenizer.encode('the end', 5))).toEqual([4, 1, 3, 3, 0]);
    expect(tokenizer.decode([4, 2, 5, 1, 3, 6])).toBe('a dog [UNK]');
  });

  it('round-trips through JSON (tokenizerFromJSON reads both kinds) and refuses what it cannot honour', async () => {
    const restored = tokenizerFromJSON(JSON.parse(JSON.stringify(seedTokenizer)));
    expect(restored).toBeInstanceOf(KerasTextVectorizer);
    expect(Array.from(restored.encode('a dog', 36))).toEqual(Array.from(seedTokenizer.encode('a dog', 36)));
    expect(() => new KerasTextVectorizer(['', '[UNK]', 'a'])).toThrow(
      /start marker 'start' is not a word of the vocabulary/,
    );
    expect(() => tokenizerFromJSON({ format: 'sentencepiece' })).toThrow(
      /must be 'imgcap-word-tokenizer' or 'imgcap-keras-text-vectorization'/,
    );
    const config = (settings: object) =>
      strToU8(
        JSON.stringify({
          class_name: 'Sequential',
          config: {
            layers: [
              {
                class_name: 'TextVectorization',
                config: {
                  name: 'text_vectorization',
                  output_mode: 'int',
                  split: 'whitespace',
                  ngrams: null,
                  standardize: 'lower',
                  ...settings,
                },
              },
            ],
          },
        }),
      );
    const bigrams = join(dir, 'bigrams.keras');
    await writeFile(
      bigrams,
      zipSync({
        'config.json': config({ ngrams: 2 }),
        'assets/x/text_vectorization/vocabulary.txt': strToU8('\n[UNK]\nstart\nend'),
      }),
    );
    await expect(loadKerasTokenizer(bigrams)).rejects.toThrow(
      /bigrams\.keras: TextVectorization ngrams=2 is not supported/,
    );
    const notZip = join(dir, 'plain.keras');
    await writeFile(notZip, 'not a zip');
    await expect(loadKerasTokenizer(notZip)).rejects.toThrow(/plain\.keras is not a \.keras archive/);
  });
});
