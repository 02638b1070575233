import { decodeWords, markedSequence, type CaptionTokenizer, type MarkerIds } from './caption-tokenizer.js';
import {
  SPECIAL_IDS_NOT_IN_CAPTIONS,
  SPECIAL_TOKEN_COUNT,
  SPECIAL_TOKEN_STRINGS,
  SpecialTokens,
} from './special-tokens.js';
import { captionWords } from './standardize.js';

export const TOKENIZER_FORMAT = 'imgcap-word-tokenizer';
export const TOKENIZER_VERSION = 1;

export interface FitOptions {
  /** Maximum vocabulary size, the 4 special tokens included. */
  vocabSize?: number;
}

/** Serialized form; `vocabulary[id]` is the word for `id`, specials first. */
export interface WordTokenizerJSON {
  format: typeof TOKENIZER_FORMAT;
  version: typeof TOKENIZER_VERSION;
  vocabulary: string[];
}

const DEFAULT_VOCAB_SIZE = 10_000;

/**
 * Word-level tokenizer. Ids 0..3 are the special tokens; the rest are words by descending frequency,
 * ties broken by first appearance in the fitted captions (stable across runs and platforms).
 */
export class WordTokenizer implements CaptionTokenizer {
  /** Reserved ids 0..3: no caption word can produce or collide with them. */
  readonly markers: MarkerIds = SpecialTokens;
  readonly bannedInCaptions = SPECIAL_IDS_NOT_IN_CAPTIONS;
  private readonly words: readonly string[];
  private readonly ids: ReadonlyMap<string, number>;

  private constructor(words: readonly string[]) {
    this.words = words;
    // Specials are looked up by id only, never by word, so they stay out of the word map.
    this.ids = new Map(words.slice(SPECIAL_TOKEN_COUNT).map((word, i) => [word, i + SPECIAL_TOKEN_COUNT]));
  }

  static fit(captions: readonly string[], { vocabSize = DEFAULT_VOCAB_SIZE }: FitOptions = {}): WordTokenizer {
    if (!Number.isInteger(vocabSize) || vocabSize < SPECIAL_TOKEN_COUNT + 1) {
      throw new RangeError(`vocabSize must be an integer >= ${SPECIAL_TOKEN_COUNT + 1}, got ${vocabSize}`);
    }
    const counts = new Map<string, number>();
    for (const caption of captions) {
      for (const word of captionWords(caption)) counts.set(word, (counts.get(word) ?? 0) + 1);
    }
    // Map iteration order is first-insertion order and Array.prototype.sort is stable,
    // so equal counts keep first-appearance order.
    const byFrequency = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([word]) => word);
    return new WordTokenizer([...SPECIAL_TOKEN_STRINGS, ...byFrequency.slice(0, vocabSize - SPECIAL_TOKEN_COUNT)]);
  }

  static fromJSON(json: unknown): WordTokenizer {
    const data = json as Partial<WordTokenizerJSON> | null;
    if (data?.format !== TOKENIZER_FORMAT) {
      throw new Error(`tokenizer JSON format must be '${TOKENIZER_FORMAT}', got ${JSON.stringify(data?.format)}`);
    }
    if (data.version !== TOKENIZER_VERSION) {
      throw new Error(`tokenizer JSON version must be ${TOKENIZER_VERSION}, got ${JSON.stringify(data.version)}`);
    }
    const vocabulary = data.vocabulary;
    if (!Array.isArray(vocabulary) || !vocabulary.every((w) => typeof w === 'string')) {
      throw new Error('tokenizer JSON vocabulary must be an array of strings');
    }
    SPECIAL_TOKEN_STRINGS.forEach((special, id) => {
      if (vocabulary[id] !== special) {
        throw new Error(`tokenizer JSON vocabulary[${id}] must be '${special}', got ${JSON.stringify(vocabulary[id])}`);
      }
    });
    if (new Set(vocabulary).size !== vocabulary.length)
      throw new Error('tokenizer JSON vocabulary has duplicate words');
    return new WordTokenizer([...vocabulary]);
  }

  /** Number of ids in use, specials included (at most the fitted maximum). */
  get vocabSize(): number {
    return this.words.length;
  }

  toJSON(): WordTokenizerJSON {
    return { format: TOKENIZER_FORMAT, version: TOKENIZER_VERSION, vocabulary: [...this.words] };
  }

  /** Word ids of a caption without markers or padding; unknown words map to UNK. */
  encodeWords(caption: string): number[] {
    return captionWords(caption).map((word) => this.wordToId(word));
  }

  /** START + words + END, then padded with PAD or cut to `seqLength` (a cut caption loses its END). */
  encode(caption: string, seqLength: number): Int32Array {
    return markedSequence(this.encodeWords(caption), this.markers, seqLength);
  }

  /** Words of `ids` up to the first END; PAD and START are skipped, UNK shows as `[UNK]`. */
  decode(ids: ArrayLike<number>): string {
    return decodeWords(ids, this.markers, (id) => this.idToWord(id));
  }

  idToWord(id: number): string {
    const word = Number.isInteger(id) ? this.words[id] : undefined;
    if (word === undefined) throw new RangeError(`token id must be an integer in [0, ${this.words.length}), got ${id}`);
    return word;
  }

  /** Id of an already standardized word; words outside the vocabulary (specials' strings included) give UNK. */
  wordToId(word: string): number {
    return this.ids.get(word) ?? SpecialTokens.unknown;
  }
}
