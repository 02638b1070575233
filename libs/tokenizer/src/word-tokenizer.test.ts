import { describe, expect, it } from 'vitest';
import { SpecialTokens } from './special-tokens.js';
import { WordTokenizer } from './word-tokenizer.js';

const captions = [
  'A man is bending over .',
  'Two friends at the start of the weekend .',
  'The end of a man .',
  'A dog runs across the grass .',
];

describe('WordTokenizer.fit', () => {
  it('puts the 4 specials first, then words by descending frequency', () => {
    const tok = WordTokenizer.fit(['b a', 'a c', 'a b']);
    expect([0, 1, 2, 3, 4, 5, 6].map((id) => tok.idToWord(id))).toEqual([
      '[PAD]',
      '[UNK]',
      '[START]',
      '[END]',
      'a',
      'b',
      'c',
    ]);
  });

  it('breaks frequency ties by first appearance, not alphabetically', () => {
    const tok = WordTokenizer.fit(['zebra apple mango']);
    expect(tok.wordToId('zebra')).toBe(4);
    expect(tok.wordToId('apple')).toBe(5);
    expect(tok.wordToId('mango')).toBe(6);
  });

  it('caps the vocabulary at vocabSize including the specials; the rest become UNK', () => {
    const tok = WordTokenizer.fit(['a a a b b c'], { vocabSize: 6 });
    expect(tok.vocabSize).toBe(6);
    expect(tok.wordToId('c')).toBe(SpecialTokens.unknown);
    expect(tok.encodeWords('a c b')).toEqual([4, SpecialTokens.unknown, 5]);
  });

  it('rejects a vocabSize that leaves no room for words', () => {
    expect(() => WordTokenizer.fit(captions, { vocabSize: 4 })).toThrow(/vocabSize must be an integer >= 5, got 4/);
  });
});

describe('WordTokenizer.encode/decode', () => {
  const tok = WordTokenizer.fit(captions);

  it('wraps words in START/END and pads with PAD', () => {
    const ids = tok.encode('a dog', 6);
    expect([...ids]).toEqual([SpecialTokens.start, tok.wordToId('a'), tok.wordToId('dog'), SpecialTokens.end, 0, 0]);
    expect(ids).toBeInstanceOf(Int32Array);
  });

  it('truncates to seqLength', () => {
    expect([...tok.encode('a man is bending over', 3)]).toEqual([
      SpecialTokens.start,
      tok.wordToId('a'),
      tok.wordToId('man'),
    ]);
  });

  it('keeps "start", "end", "bending", "friends" and "weekend" through encode → decode', () => {
    const text = 'two friends at the start of the weekend';
    expect(tok.decode(tok.encode(text, 16))).toBe(text);
    expect(tok.decode(tok.encode('the end of a man is bending over', 16))).toBe('the end of a man is bending over');
  });

  it('stops at END and skips PAD and START', () => {
    const a = tok.wordToId('a');
    const dog = tok.wordToId('dog');
    expect(tok.decode([SpecialTokens.start, a, SpecialTokens.pad, dog, SpecialTokens.end, a])).toBe('a dog');
  });

  it('shows unknown words as [UNK]', () => {
    expect(tok.decode(tok.encode('a unicorn', 8))).toBe('a [UNK]');
  });

  it('maps the special strings typed as words to UNK, never to their ids', () => {
    expect(tok.wordToId('[END]')).toBe(SpecialTokens.unknown);
    expect(tok.encodeWords('[END] [START]')).toEqual([tok.wordToId('end'), tok.wordToId('start')]);
  });

  it('names the bad id and the allowed range', () => {
    expect(() => tok.idToWord(tok.vocabSize)).toThrow(
      `token id must be an integer in [0, ${tok.vocabSize}), got ${tok.vocabSize}`,
    );
    expect(() => tok.encode('a', 1)).toThrow(/seqLength must be an integer >= 2, got 1/);
  });
});

describe('WordTokenizer JSON', () => {
  const tok = WordTokenizer.fit(captions, { vocabSize: 12 });

  it('round-trips to identical encodings', () => {
    const restored = WordTokenizer.fromJSON(JSON.parse(JSON.stringify(tok)));
    expect(restored.vocabSize).toBe(tok.vocabSize);
    for (const caption of [...captions, 'an unseen caption']) {
      expect(restored.encode(caption, 12)).toEqual(tok.encode(caption, 12));
    }
  });

  it('is versioned', () => {
    expect(tok.toJSON()).toMatchObject({ format: 'imgcap-word-tokenizer', version: 1 });
  });

  it('rejects a wrong format or version with the bad value', () => {
    const json = tok.toJSON();
    expect(() => WordTokenizer.fromJSON({ ...json, format: 'keras' })).toThrow(
      `tokenizer JSON format must be 'imgcap-word-tokenizer', got "keras"`,
    );
    expect(() => WordTokenizer.fromJSON({ ...json, version: 2 })).toThrow('tokenizer JSON version must be 1, got 2');
    expect(() => WordTokenizer.fromJSON(null)).toThrow(/format must be/);
  });

  it('rejects a vocabulary whose specials are missing or whose words repeat', () => {
    const json = tok.toJSON();
    expect(() => WordTokenizer.fromJSON({ ...json, vocabulary: ['a', ...json.vocabulary] })).toThrow(
      `vocabulary[0] must be '[PAD]', got "a"`,
    );
    expect(() => WordTokenizer.fromJSON({ ...json, vocabulary: [...json.vocabulary, 'a'] })).toThrow(/duplicate/);
  });
});
