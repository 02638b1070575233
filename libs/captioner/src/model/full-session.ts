import * as tf from '@tensorflow/tfjs-core';
import type { DecoderSession } from '../generation/session.js';
import type { CaptionModel } from './caption-model.js';

/**
 * Decoding by full recomputation: every step re-runs the decoder over the whole prefix and keeps
 * the last position's logits. It is the reference the cached session is tested against and the
 * baseline the benchmark measures; it computes no attention maps.
 */
export class FullDecoderSession implements DecoderSession {
  readonly rows: number;
  readonly gridTokens: number;
  private encoded: tf.Tensor3D;
  private prefixes: number[][];

  constructor(
    private readonly model: CaptionModel,
    encoded: tf.Tensor3D,
  ) {
    this.rows = encoded.shape[0];
    this.gridTokens = encoded.shape[1];
    this.encoded = tf.clone(encoded);
    this.prefixes = Array.from({ length: this.rows }, () => []);
  }

  step(tokens: Int32Array, position: number): { logProbs: tf.Tensor2D; attention: null } {
    this.prefixes.forEach((prefix, row) => {
      prefix.length = position;
      prefix.push(tokens[row]!);
    });
    const length = this.model.config.seqLength - 1;
    // Padding after the prefix is invisible to it under the causal mask.
    const padded = this.prefixes.map((prefix) => [...prefix, ...new Array<number>(length - prefix.length).fill(0)]);
    const logProbs = tf.tidy(() => {
      const decoded = this.model.decodeFull(this.encoded, tf.tensor2d(padded, [this.rows, length], 'int32'));
      const last = tf.squeeze(tf.slice(decoded, [0, position, 0], [this.rows, 1, -1]), [1]);
      return tf.logSoftmax(last) as tf.Tensor2D;
    });
    return { logProbs, attention: null };
  }

  reorder(order: Int32Array): void {
    this.prefixes = Array.from(order, (row) => [...this.prefixes[row]!]);
    const index = tf.tensor1d(order, 'int32');
    const picked = tf.gather(this.encoded, index, 0) as tf.Tensor3D;
    this.encoded.dispose();
    index.dispose();
    this.encoded = picked;
  }

  dispose(): void {
    this.encoded.dispose();
  }
}
