import { decodeWords, markedSequence, type CaptionTokenizer, type MarkerIds } from './caption-tokenizer.js';

export const KERAS_TOKENIZER_FORMAT = 'imgcap-keras-text-vectorization';
export const KERAS_TOKENIZER_VERSION = 1;

/** `TextVectorization(standardize=…)` values that can be saved (a Python callable cannot). */
export const KERAS_STANDARDIZE_MODES = ['lower_and_strip_punctuation', 'lower', 'strip_punctuation', null] as const;
export type KerasStandardize = (typeof KERAS_STANDARDIZE_MODES)[number];

/** Keras's `DEFAULT_STRIP_REGEX`: ASCII punctuation (`,-\.` in its class is the range `,`…`.`). */
const KERAS_STRIP = /[!"#$%&()*+,\-./:;<=>?@[\\\]^_`{|}~']/g;
/** `tf.strings.split` without a separator splits on ASCII whitespace runs. */
const KERAS_WHITESPACE = /[ \t\n\v\f\r]+/;

/**
 * Keras `TextVectorization._preprocess`: `tf.strings.lower` (no encoding given, so ASCII letters only: `É` stays)
 * then the punctuation regex, as the mode says.
 */
export function kerasStandardize(text: string, mode: KerasStandardize): string {
  let out = text;
  if (mode === 'lower' || mode === 'lower_and_strip_punctuation') out = out.replace(/[A-Z]+/g, (s) => s.toLowerCase());
  if (mode === 'strip_punctuation' || mode === 'lower_and_strip_punctuation') out = out.replace(KERAS_STRIP, '');
  return out;
}

/** `tf.strings.split` without a separator: the tokens between runs of ASCII whitespace, none empty. */
export function kerasSplit(text: string): string[] {
  return text.split(KERAS_WHITESPACE).filter((token) => token !== '');
}

/** Serialized form: the whole vocabulary (`''` at 0, `[UNK]` at 1) and the layer's settings. */
export interface KerasTokenizerJSON {
  format: typeof KERAS_TOKENIZER_FORMAT;
  version: typeof KERAS_TOKENIZER_VERSION;
  vocabulary: string[];
  standardize: KerasStandardize;
  /** The layer's `output_sequence_length` (null when unset). */
  outputSequenceLength: number | null;
  /** The vocabulary words used as caption markers. */
  markerWords: { start: string; end: string };
}

/** The Keras project's captions were `"<start> " + caption + " <end>"`: standardized, the markers are these words. */
export const SEED_MARKER_WORDS = { start: 'start', end: 'end' } as const;

/**
 * A Keras `TextVectorization` (output_mode 'int', split on whitespace) over a fixed vocabulary, encoding and
 * decoding exactly as Keras does: ids in vocabulary order, `''` = 0 (padding), `[UNK]` = 1 (every word outside the
 * vocabulary), markers being ordinary words (the seed's `start` and `end`). A caption word equal to a marker word
 * gets the marker's id, as in Keras.
 */
export class KerasTextVectorizer implements CaptionTokenizer {
  readonly markers: MarkerIds;
  readonly bannedInCaptions: readonly number[];
  private readonly ids: ReadonlyMap<string, number>;

  constructor(
    private readonly vocabulary: readonly string[],
    readonly standardize: KerasStandardize = 'lower_and_strip_punctuation',
    readonly outputSequenceLength: number | null = null,
    readonly markerWords: { start: string; end: string } = SEED_MARKER_WORDS,
  ) {
    if (vocabulary[0] !== '' || vocabulary[1] !== '[UNK]') {
      throw new Error(
        `a TextVectorization vocabulary starts with '' (padding) and '[UNK]', got ${JSON.stringify(vocabulary.slice(0, 2))}`,
      );
    }
    if (new Set(vocabulary).size !== vocabulary.length)
      throw new Error('the TextVectorization vocabulary has duplicate entries');
    if (!KERAS_STANDARDIZE_MODES.includes(standardize)) {
      throw new Error(
        `standardize must be one of ${KERAS_STANDARDIZE_MODES.map(String).join(', ')}, got ${JSON.stringify(standardize)}`,
      );
    }
    this.ids = new Map(vocabulary.map((word, id) => [word, id]));
    const markerId = (role: 'start' | 'end') => {
      const id = this.ids.get(markerWords[role]);
      if (id === undefined || id < 2)
        throw new Error(`the caption ${role} marker '${markerWords[role]}' is not a word of the vocabulary`);
      return id;
    };
    this.markers = { pad: 0, unknown: 1, start: markerId('start'), end: markerId('end') };
    // The Keras project's inference takes the argmax over the whole vocabulary; only '' and its start word
    // could not continue a caption, so '[UNK]' stays allowed, as there.
    this.bannedInCaptions = [this.markers.pad, this.markers.start];
  }

  static fromJSON(json: unknown): KerasTextVectorizer {
    const data = json as Partial<KerasTokenizerJSON> | null;
    if (data?.format !== KERAS_TOKENIZER_FORMAT || data.version !== KERAS_TOKENIZER_VERSION) {
      throw new Error(
        `tokenizer JSON must be ${KERAS_TOKENIZER_FORMAT} version ${KERAS_TOKENIZER_VERSION}, got ${JSON.stringify(data?.format)} ${JSON.stringify(data?.version)}`,
      );
    }
    if (!Array.isArray(data.vocabulary) || !data.vocabulary.every((w) => typeof w === 'string'))
      throw new Error('tokenizer JSON vocabulary must be an array of strings');
    return new KerasTextVectorizer(
      data.vocabulary,
      data.standardize ?? null,
      data.outputSequenceLength ?? null,
      data.markerWords ?? SEED_MARKER_WORDS,
    );
  }

  get vocabSize(): number {
    return this.vocabulary.length;
  }

  toJSON(): KerasTokenizerJSON {
    return {
      format: KERAS_TOKENIZER_FORMAT,
      version: KERAS_TOKENIZER_VERSION,
      vocabulary: [...this.vocabulary],
      standardize: this.standardize,
      outputSequenceLength: this.outputSequenceLength,
      markerWords: { ...this.markerWords },
    };
  }

  /** What the Keras layer itself returns for `text`: standardized, split, looked up, padded or cut to `length`. */
  vectorize(text: string, length = this.outputSequenceLength): Int32Array {
    const ids = this.lookup(text);
    const out = new Int32Array(length ?? ids.length);
    out.set(ids.slice(0, out.length));
    return out;
  }

  encodeWords(caption: string): number[] {
    return this.lookup(caption);
  }

  /** The seed's training sequence: the vectorization of `"<start> " + caption + " <end>"`. */
  encode(caption: string, seqLength: number): Int32Array {
    return markedSequence(this.lookup(caption), this.markers, seqLength);
  }

  decode(ids: ArrayLike<number>): string {
    return decodeWords(ids, this.markers, (id) => this.idToWord(id));
  }

  idToWord(id: number): string {
    const word = Number.isInteger(id) ? this.vocabulary[id] : undefined;
    if (word === undefined)
      throw new RangeError(`token id must be an integer in [0, ${this.vocabulary.length}), got ${id}`);
    return word;
  }

  wordToId(word: string): number {
    return this.ids.get(word) ?? this.markers.unknown; // '' is the mask token: 0, as Keras's StringLookup
  }

  private lookup(text: string): number[] {
    return kerasSplit(kerasStandardize(text, this.standardize)).map((token) => this.wordToId(token));
  }
}
