import type * as tf from '@tensorflow/tfjs-core';

/**
 * One decoding pass over a batch of rows (images × beams). Implementations keep whatever state
 * they need — a key/value cache, or the whole prefix for full recomputation — so the search code
 * below is the same for both and "cached equals full" is a test of the session alone.
 */
export interface DecoderSession {
  /** Number of rows decoded together. */
  readonly rows: number;
  /** Size of the image grid each attention row covers. */
  readonly gridTokens: number;
  /**
   * Feeds one token per row at `position` (0 = the start marker) and returns log-probabilities
   * `[rows, vocab]` for the next token and the cross-attention `[rows, gridTokens]` (mean over heads)
   * that produced them — or null where a session does not compute attention (full recomputation, kept
   * for tests and benchmarks). See StepOutput for who owns what. A session whose runtime only runs
   * asynchronously (ONNX Runtime Web) returns a Promise; the searches await either.
   */
  step(tokens: Int32Array, position: number): StepOutput | Promise<StepOutput>;
  /** Rearranges rows (beam search): row i becomes old row `order[i]`; rows may repeat. */
  reorder(order: Int32Array): void;
  dispose(): void;
}

/**
 * One step's outputs: tfjs tensors, which the caller disposes, or — from a session that does not run on
 * tfjs (ONNX Runtime) — plain row-major arrays, valid until the session's next call. Host arrays spare
 * such a session a copy into tfjs and back at every step.
 */
export type StepOutput =
  { logProbs: tf.Tensor2D; attention: tf.Tensor2D | null } | { logProbs: Float32Array; attention: Float32Array };

/** The special ids search needs; they come from the tokenizer, never from decoded text. */
export interface SearchTokens {
  start: number;
  end: number;
  /** Ids that generation never emits (padding, the start marker, unknown). */
  banned: readonly number[];
}

/** One generated caption before detokenization. */
export interface Hypothesis {
  /** Word ids, without the start and end markers. */
  tokens: number[];
  /** Sum of the log-probabilities of every emitted id, end marker included. */
  logProb: number;
  /** The ranking score: `logProb / length ** lengthPenalty` (length counts the end marker). */
  score: number;
  /** Cross-attention over the image grid for each word in `tokens`. */
  attention: number[][];
  /** Whether the end marker was produced (false when `maxLength` cut the caption). */
  finished: boolean;
}
