import * as tf from '@tensorflow/tfjs-core';
import type { DecoderSession } from './session.js';

/**
 * A decoder whose next-token distribution depends only on the previous token (a bigram table):
 * enough to check search logic exactly, with no model in the way.
 */
export class BigramSession implements DecoderSession {
  readonly gridTokens = 2;
  private last: Int32Array;
  constructor(
    private readonly table: number[][],
    readonly rows: number,
  ) {
    this.last = new Int32Array(rows);
  }

  step(tokens: Int32Array, _position: number) {
    this.last = tokens.slice();
    const probs = Array.from(tokens, (t) => this.table[t]!);
    return tf.tidy(() => ({
      logProbs: tf.log(tf.tensor2d(probs)) as tf.Tensor2D,
      attention: tf.tensor2d(Array.from(tokens, (t) => [t, -t])) as tf.Tensor2D,
    }));
  }

  reorder(order: Int32Array): void {
    this.last = Int32Array.from(order, (row) => this.last[row]!);
  }

  dispose(): void {}
}

/** A random row-stochastic table over `vocab` ids. */
export function randomTable(vocab: number, seed: number): number[][] {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: vocab }, () => {
    const row = Array.from({ length: vocab }, () => random() + 0.01);
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((v) => v / sum);
  });
}
