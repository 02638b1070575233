/** Ids a caption model and its search need from a tokenizer, whatever its vocabulary scheme. */
export interface MarkerIds {
  /** Padding, and the id every position after a caption holds. */
  readonly pad: number;
  /** Out-of-vocabulary words. */
  readonly unknown: number;
  /** First input of every caption. */
  readonly start: number;
  /** Ends a caption: generation stops when it is chosen. */
  readonly end: number;
}

/**
 * What training, search and bundles use of a tokenizer. Two implementations: imgcap's `WordTokenizer`
 * (reserved marker ids 0..3) and `KerasTextVectorizer` (a Keras `TextVectorization`, markers being words of its
 * vocabulary, as the Keras project's `start`/`end`). `tokenizerFromJSON` reads either back.
 */
export interface CaptionTokenizer {
  readonly vocabSize: number;
  readonly markers: MarkerIds;
  /** Ids generation never emits (padding, the start marker, and whatever else the scheme reserves). */
  readonly bannedInCaptions: readonly number[];
  /** Word ids of a caption without markers or padding; unknown words map to `markers.unknown`. */
  encodeWords(caption: string): number[];
  /** start + words + end, padded with `markers.pad` or cut to `seqLength`. */
  encode(caption: string, seqLength: number): Int32Array;
  /** Words of `ids` up to the first end marker; pad and start skipped. */
  decode(ids: ArrayLike<number>): string;
  idToWord(id: number): string;
  wordToId(word: string): number;
  toJSON(): object;
}
