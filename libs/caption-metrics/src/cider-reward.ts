import { countDocumentFrequency, similarity, tfIdf, type TfIdfVector } from './cider.js';
import { MAX_NGRAM, countNgrams, splitWords } from './ngrams.js';

/**
 * CIDEr-D as a training reward (self-critical sequence training): the same formula as `ciderScores`, with the
 * document frequencies and every reference's tf-idf vector computed once for a fixed set of images (the training
 * split), so scoring a sampled caption against its image's references costs only the candidate's own n-grams.
 * `score(i, c)` equals `ciderScores` over the same images with image i's candidate set to c.
 */
export class CiderReward {
  private readonly references: TfIdfVector[][];
  private readonly documentFrequency: Map<string, number>;
  private readonly logImageCount: number;

  /** `referencesPerImage[i]`: image i's references as token strings (tokens joined by single spaces). */
  constructor(referencesPerImage: readonly (readonly string[])[]) {
    if (referencesPerImage.length === 0) throw new Error('CiderReward: no images to take document frequencies from');
    referencesPerImage.forEach((references, i) => {
      if (references.length === 0) throw new Error(`CiderReward: image ${i} has no reference caption`);
    });
    const counts = referencesPerImage.map((references) => references.map((text) => countNgrams(splitWords(text))));
    this.documentFrequency = countDocumentFrequency(counts);
    this.logImageCount = Math.log(referencesPerImage.length);
    this.references = counts.map((ofImage) => ofImage.map((c) => this.vector(c)));
  }

  get images(): number {
    return this.references.length;
  }

  /** CIDEr-D of `candidate` (a token string) against image `image`'s references. */
  score(image: number, candidate: string): number {
    const references = this.references[image];
    if (references === undefined) throw new Error(`CiderReward: no image ${image} (have ${this.images})`);
    const vector = this.vector(countNgrams(splitWords(candidate)));
    let summed = 0;
    for (const reference of references) for (const value of similarity(vector, reference)) summed += value;
    return (summed / MAX_NGRAM / references.length) * 10;
  }

  private vector(counts: Map<string, number>[]): TfIdfVector {
    return tfIdf(counts, this.documentFrequency, this.logImageCount);
  }
}
