import * as tf from '@tensorflow/tfjs-core';
import type { DecoderCache, EncoderMemory } from '@imgcap/transformer-blocks';
import type { DecoderSession } from '../generation/session.js';
import type { CaptionModel } from './caption-model.js';

/**
 * Incremental decoding with a key/value cache: each step embeds one token per row, attends over the
 * cached keys/values of the tokens before it and over the image's cross-attention keys/values
 * (projected once per image), so a step costs O(length) instead of re-running the whole prefix.
 */
export class CachedDecoderSession implements DecoderSession {
  readonly rows: number;
  readonly gridTokens: number;
  private cache: DecoderCache;
  private memory: EncoderMemory;

  /** `encoded` is the encoder output [rows, T, D]; the session keeps its own copy of what it needs. */
  constructor(
    private readonly model: CaptionModel,
    encoded: tf.Tensor3D,
  ) {
    this.rows = encoded.shape[0];
    this.gridTokens = encoded.shape[1];
    this.memory = model.decoderBlock.precomputeCrossAttention(encoded);
    this.cache = model.decoderBlock.initCache(this.rows, model.config.seqLength - 1);
  }

  step(tokens: Int32Array, position: number): { logProbs: tf.Tensor2D; attention: tf.Tensor2D } {
    const { model } = this;
    const ids = tf.tensor2d(tokens, [this.rows, 1], 'int32');
    const x = model.tokenEmbedding.embedAt(ids, position);
    const result = model.decoderBlock.step(x, this.cache, this.memory, position);
    ids.dispose();
    x.dispose();
    this.cache.keys.dispose();
    this.cache.values.dispose();
    this.cache = result.cache;
    const out = tf.tidy(() => {
      const logits = tf.reshape(model.logitsLayer.apply(result.output) as tf.Tensor, [this.rows, -1]);
      const attention = tf.reshape(tf.mean(result.crossAttention!, 1), [this.rows, this.gridTokens]);
      return { logProbs: tf.logSoftmax(logits) as tf.Tensor2D, attention: attention as tf.Tensor2D };
    });
    result.output.dispose();
    result.crossAttention?.dispose();
    return out;
  }

  reorder(order: Int32Array): void {
    const index = tf.tensor1d(order, 'int32');
    const gather = <T extends tf.Tensor>(t: T): T => {
      const picked = tf.gather(t, index, 0) as T;
      t.dispose();
      return picked;
    };
    this.cache = { keys: gather(this.cache.keys), values: gather(this.cache.values) };
    this.memory = { keys: gather(this.memory.keys), values: gather(this.memory.values) };
    index.dispose();
  }

  dispose(): void {
    tf.dispose([this.cache.keys, this.cache.values, this.memory.keys, this.memory.values]);
  }
}
