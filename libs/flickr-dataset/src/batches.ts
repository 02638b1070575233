import type { CaptionTokenizer } from '@imgcap/tokenizer';
import { deriveSeed, mulberry32, shuffleInPlace } from './prng.js';
import type { ImageRecord } from './types.js';

/** One training example: one (image, caption) pair, the caption already encoded to seqLength ids. */
export interface CaptionExample {
  imageId: string;
  tokens: Int32Array;
}

export interface CaptionBatch<F> {
  /** One id per example (an image repeats when several of its captions share a batch). */
  imageIds: string[];
  features: F;
  /** `[batch * (seqLength - 1)]`, row-major: tokens 0..L-2 of each example. */
  inputTokens: Int32Array;
  /** `[batch * (seqLength - 1)]`, row-major: tokens 1..L-1 of each example (teacher forcing). */
  targetTokens: Int32Array;
  batchSize: number;
  /** seqLength - 1: the decoder's time steps. */
  steps: number;
}

export interface BatchOptions<F> {
  examples: readonly CaptionExample[];
  batchSize: number;
  seed: number;
  /** The shuffle order is a function of (seed, epoch) only, so a resumed run repeats it. */
  epoch: number;
  /** Drop the last, smaller batch. Default false. */
  dropRemainder?: boolean;
  /** Skip this many batches of the epoch (resuming mid-epoch). Default 0. */
  startBatch?: number;
  /** Supplies image features or pixels for the batch's image ids, in the same order. */
  featuresFor: (imageIds: string[]) => Promise<F>;
}

/** Every caption of every image as an example, encoded with `tokenizer` to `seqLength` ids. */
export function captionExamples(
  images: readonly ImageRecord[],
  tokenizer: CaptionTokenizer,
  seqLength: number,
): CaptionExample[] {
  return images.flatMap((image) =>
    image.captions.map((caption) => ({ imageId: image.id, tokens: tokenizer.encode(caption, seqLength) })),
  );
}

export function batchCount(examples: number, batchSize: number, dropRemainder = false): number {
  return dropRemainder ? Math.floor(examples / batchSize) : Math.ceil(examples / batchSize);
}

function validateBatchOptions<F>(options: BatchOptions<F>): number {
  const { examples, batchSize, epoch, startBatch = 0 } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize must be an integer >= 1, got ${batchSize}`);
  if (!Number.isInteger(epoch) || epoch < 0) throw new RangeError(`epoch must be an integer >= 0, got ${epoch}`);
  if (!Number.isInteger(startBatch) || startBatch < 0)
    throw new RangeError(`startBatch must be an integer >= 0, got ${startBatch}`);
  const seqLength = examples[0]?.tokens.length ?? 2;
  if (seqLength < 2) throw new RangeError(`examples need at least 2 tokens, got ${seqLength}`);
  const bad = examples.findIndex((example) => example.tokens.length !== seqLength);
  if (bad >= 0)
    throw new RangeError(
      `examples[${bad}] has ${examples[bad].tokens.length} tokens, expected ${seqLength} like examples[0]`,
    );
  return seqLength;
}

/** Seeded, per-epoch shuffled batches with teacher-forcing inputs and targets. */
export async function* createBatches<F>(options: BatchOptions<F>): AsyncGenerator<CaptionBatch<F>> {
  const seqLength = validateBatchOptions(options);
  const { examples, batchSize, seed, epoch, dropRemainder = false, startBatch = 0 } = options;
  const order = shuffleInPlace(
    examples.map((_, i) => i),
    mulberry32(deriveSeed(seed, epoch)),
  );
  const steps = seqLength - 1;
  const total = batchCount(examples.length, batchSize, dropRemainder);
  for (let b = startBatch; b < total; b++) {
    const picked = order.slice(b * batchSize, (b + 1) * batchSize).map((i) => examples[i]);
    const inputTokens = new Int32Array(picked.length * steps);
    const targetTokens = new Int32Array(picked.length * steps);
    picked.forEach((example, row) => {
      inputTokens.set(example.tokens.subarray(0, steps), row * steps);
      targetTokens.set(example.tokens.subarray(1), row * steps);
    });
    const imageIds = picked.map((example) => example.imageId);
    yield {
      imageIds,
      features: await options.featuresFor(imageIds),
      inputTokens,
      targetTokens,
      batchSize: picked.length,
      steps,
    };
  }
}
