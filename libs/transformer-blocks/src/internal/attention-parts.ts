import * as tf from '@tensorflow/tfjs-core';
import { addDense, applyDense, maybeDropout, type DenseParams, type WeightFactory } from './weights.js';

/**
 * Added to the logits of masked positions: exp() of it underflows to exactly 0 in float32. Exported from the package:
 * the ONNX graph builder (@imgcap/onnx-engine) uses this value rather than a copy of it.
 */
export const MASKED_LOGIT = -1e9;

export interface AttentionHyperparams {
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly dropout: number;
  readonly useBias: boolean;
  /** Store kernels and biases in Keras MultiHeadAttention's shapes, with a heads axis (see `StoredShapes`). */
  readonly kerasLayout: boolean;
}

export interface AttentionInputDims {
  readonly queryDim: number;
  readonly keyDim: number;
  readonly valueDim: number;
}

export interface AttentionResult {
  /** [batch, queryLen, queryDim] */
  readonly output: tf.Tensor3D;
  /** Softmax weights per head, [batch, heads, queryLen, keyLen] (before attention dropout). */
  readonly scores: tf.Tensor4D;
}

/**
 * The weights and maths of one multi-head attention: shared by the `MultiHeadAttention` layer and
 * by the blocks, which register these weights on themselves (see `WeightFactory`).
 */
export class AttentionParts {
  private constructor(
    private readonly hp: AttentionHyperparams,
    private readonly query: DenseParams,
    private readonly key: DenseParams,
    private readonly value: DenseParams,
    private readonly output: DenseParams,
  ) {}

  static create(
    add: WeightFactory,
    prefix: string,
    hp: AttentionHyperparams,
    dims: AttentionInputDims,
  ): AttentionParts {
    const { numHeads, keyDim, valueDim, useBias, kerasLayout } = hp;
    // Keras: EinsumDense kernels [in, heads, headDim] with biases [heads, headDim]; output [heads, headDim, out].
    const toHeads = (inDim: number, headDim: number) =>
      kerasLayout ? { kernel: [inDim, numHeads, headDim], bias: [numHeads, headDim] } : undefined;
    const fromHeads = kerasLayout ? { kernel: [numHeads, valueDim, dims.queryDim], bias: [dims.queryDim] } : undefined;
    return new AttentionParts(
      hp,
      addDense(add, `${prefix}query`, dims.queryDim, numHeads * keyDim, useBias, toHeads(dims.queryDim, keyDim)),
      addDense(add, `${prefix}key`, dims.keyDim, numHeads * keyDim, useBias, toHeads(dims.keyDim, keyDim)),
      addDense(add, `${prefix}value`, dims.valueDim, numHeads * valueDim, useBias, toHeads(dims.valueDim, valueDim)),
      addDense(add, `${prefix}attention_output`, numHeads * valueDim, dims.queryDim, useBias, fromHeads),
    );
  }

  /** [batch, len, dim] → [batch, heads, len, keyDim], already scaled by 1/√keyDim as in Keras. */
  projectQuery(x: tf.Tensor3D): tf.Tensor4D {
    const heads = this.splitHeads(applyDense(x, this.query), this.hp.keyDim);
    return tf.mul(heads, 1 / Math.sqrt(this.hp.keyDim));
  }

  projectKey(x: tf.Tensor3D): tf.Tensor4D {
    return this.splitHeads(applyDense(x, this.key), this.hp.keyDim);
  }

  projectValue(x: tf.Tensor3D): tf.Tensor4D {
    return this.splitHeads(applyDense(x, this.value), this.hp.valueDim);
  }

  /** Full attention from raw inputs. `mask` is 1 where a query may attend, broadcastable to [b, h, q, k]. */
  attend(
    query: tf.Tensor3D,
    key: tf.Tensor3D,
    value: tf.Tensor3D,
    mask: tf.Tensor | null,
    training: boolean,
  ): AttentionResult {
    return this.attendProjected(
      this.projectQuery(query),
      this.projectKey(key),
      this.projectValue(value),
      mask,
      training,
    );
  }

  /** Attention over already projected heads: the cached decoding path reuses keys and values. */
  attendProjected(
    q: tf.Tensor4D,
    k: tf.Tensor4D,
    v: tf.Tensor4D,
    mask: tf.Tensor | null,
    training: boolean,
  ): AttentionResult {
    const logits = tf.matMul(q, k, false, true);
    const masked = mask ? tf.add(logits, tf.mul(tf.sub(1, mask), MASKED_LOGIT)) : logits;
    const scores = tf.softmax(masked) as tf.Tensor4D;
    const context = tf.matMul(maybeDropout(scores, this.hp.dropout, training), v) as tf.Tensor4D;
    return { output: applyDense(this.mergeHeads(context), this.output) as tf.Tensor3D, scores };
  }

  private splitHeads(x: tf.Tensor, headDim: number): tf.Tensor4D {
    const [batch, len] = x.shape;
    return tf.transpose(tf.reshape(x, [batch, len, this.hp.numHeads, headDim]), [0, 2, 1, 3]);
  }

  private mergeHeads(x: tf.Tensor4D): tf.Tensor3D {
    const [batch, heads, len, headDim] = x.shape;
    return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [batch, len, heads * headDim]);
  }
}

/** [queryLen, keyLen] with 1 where key position ≤ query position (keys aligned to the end of the queries). */
export function causalMask(queryLen: number, keyLen: number): tf.Tensor2D {
  return tf.tidy(() => {
    const queryPos = tf.reshape(tf.add(tf.range(0, queryLen, 1, 'int32'), keyLen - queryLen), [queryLen, 1]);
    const keyPos = tf.reshape(tf.range(0, keyLen, 1, 'int32'), [1, keyLen]);
    return tf.cast(tf.lessEqual(keyPos, queryPos), 'float32') as tf.Tensor2D;
  });
}

/** A [batch, keyLen] padding mask (1 = real token) as an attention mask [batch, 1, 1, keyLen]. */
export function keyPaddingMask(padding: tf.Tensor): tf.Tensor4D {
  const [batch, keyLen] = padding.shape;
  return tf.reshape(tf.cast(padding, 'float32'), [batch, 1, 1, keyLen]);
}
