/**
 * Ids generation never emits, as a per-id flag array. The searches test every id of a 10,000-word
 * vocabulary at every step; a Set lookup there cost about 0.2 ms a step, an array read almost nothing.
 * Built on the first step, when the vocabulary size is known from the log-probabilities.
 */
export class BannedIds {
  private mask: Uint8Array | null = null;

  constructor(private readonly ids: readonly number[]) {}

  forVocab(vocab: number): Uint8Array {
    if (this.mask?.length !== vocab) {
      this.mask = new Uint8Array(vocab);
      for (const id of this.ids) if (id >= 0 && id < vocab) this.mask[id] = 1;
    }
    return this.mask;
  }
}
