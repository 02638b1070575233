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

/** start + words + end, padded with pad (0, as both schemes use) or cut to `seqLength` (a cut caption loses its end). */
export function markedSequence(wordIds: readonly number[], markers: MarkerIds, seqLength: number): Int32Array {
  if (!Number.isInteger(seqLength) || seqLength < 2)
    throw new RangeError(`seqLength must be an integer >= 2, got ${seqLength}`);
  const out = new Int32Array(seqLength).fill(markers.pad);
  out.set([markers.start, ...wordIds, markers.end].slice(0, seqLength));
  return out;
}

/** Words of `ids` up to the first end marker; pad and start are skipped. Works on ids, never on text. */
export function decodeWords(ids: ArrayLike<number>, markers: MarkerIds, idToWord: (id: number) => string): string {
  const words: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id === markers.end) break;
    if (id === markers.pad || id === markers.start) continue;
    words.push(idToWord(id));
  }
  return words.join(' ');
}
