import * as tf from '@tensorflow/tfjs-core';
import { layers, type Shape } from '@tensorflow/tfjs-layers';
import { LayerNormParts } from './layer-norm.js';
import { AttentionParts, causalMask, keyPaddingMask } from './internal/attention-parts.js';
import {
  attentionHyperparams,
  FeedForwardParts,
  headDim,
  residual,
  validateBlockArgs,
  type BlockHyperparams,
  type TransformerBlockArgs,
} from './internal/block-parts.js';
import {
  isTraining,
  lastDim,
  maybeDropout,
  weightFactory,
  type BaseLayerArgs,
  type LayerKwargs,
} from './internal/weights.js';

export type TransformerDecoderBlockArgs = BaseLayerArgs & TransformerBlockArgs;

/** Self-attention keys/values of the tokens decoded so far: [batch, heads, maxLength, headDim] each. */
export interface DecoderCache {
  readonly keys: tf.Tensor4D;
  readonly values: tf.Tensor4D;
}

/** Cross-attention keys/values of one encoder output, computed once per image: [batch, heads, encoderLen, headDim]. */
export interface EncoderMemory {
  readonly keys: tf.Tensor4D;
  readonly values: tf.Tensor4D;
}

export interface DecoderStepResult {
  /** [batch, 1, dim]: the block's output for the new token. */
  readonly output: tf.Tensor3D;
  /** The cache with this position written; the caller disposes the previous one. */
  readonly cache: DecoderCache;
  /** Cross-attention weights per head, [batch, heads, 1, encoderLen]; null without an encoder. */
  readonly crossAttention: tf.Tensor4D | null;
}

interface DecoderParts {
  selfAttention: AttentionParts;
  selfAttentionNorm: LayerNormParts;
  crossAttention: AttentionParts | null;
  crossAttentionNorm: LayerNormParts | null;
  feedForward: FeedForwardParts;
  feedForwardNorm: LayerNormParts;
}

const LAYER = 'TransformerDecoderBlock';

/**
 * Causal self-attention, cross-attention over an encoder sequence (only when one is given at build
 * time), feed-forward; each with a residual connection and LayerNorm. Inputs, told apart by rank:
 * `decoderSequence` [batch, len, dim], plus optionally an `encoderSequence` [batch, encLen, encDim]
 * and a `decoderPaddingMask` [batch, len] (1 = real token), e.g. `[tokens, encoded, padding]`.
 */
export class TransformerDecoderBlock extends layers.Layer {
  static readonly className = 'ImgcapTransformerDecoderBlock';
  private readonly hp: BlockHyperparams;
  private parts: DecoderParts | null = null;
  private headWidth = 0;

  constructor(args: TransformerDecoderBlockArgs) {
    super(args);
    this.hp = validateBlockArgs(LAYER, args);
  }

  override build(inputShape: Shape | Shape[]): void {
    const { decoder, encoder } = splitByRank(
      this.name,
      Array.isArray(inputShape[0]) ? (inputShape as Shape[]) : [inputShape as Shape],
    );
    const hidden = lastDim(this.name, decoder, 'the decoder sequence');
    this.headWidth = headDim(this.name, hidden, this.hp);
    const add = weightFactory((n, s, d, i) => this.addWeight(n, s, d, i));
    const { epsilon, intermediateDim } = this.hp;
    const attentionHp = attentionHyperparams(this.hp, this.headWidth);
    const encoderDim = encoder ? lastDim(this.name, encoder, 'the encoder sequence') : 0;
    this.parts = {
      selfAttention: AttentionParts.create(add, 'self_attention/', attentionHp, {
        queryDim: hidden,
        keyDim: hidden,
        valueDim: hidden,
      }),
      selfAttentionNorm: LayerNormParts.create(add, 'self_attention_norm/', hidden, epsilon),
      crossAttention: encoder
        ? AttentionParts.create(add, 'cross_attention/', attentionHp, {
            queryDim: hidden,
            keyDim: encoderDim,
            valueDim: encoderDim,
          })
        : null,
      crossAttentionNorm: encoder ? LayerNormParts.create(add, 'cross_attention_norm/', hidden, epsilon) : null,
      feedForward: FeedForwardParts.create(add, 'feedforward_', hidden, intermediateDim),
      feedForwardNorm: LayerNormParts.create(add, 'feedforward_norm/', hidden, epsilon),
    };
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: LayerKwargs = {}): tf.Tensor {
    return tf.tidy(() => {
      const parts = this.requireParts();
      const { decoder, encoder, padding } = splitByRank(this.name, Array.isArray(inputs) ? inputs : [inputs]);
      this.checkEncoderPresence(encoder != null);
      const training = isTraining(kwargs);
      const len = decoder.shape[1] as number;
      const causal = causalMask(len, len);
      const mask = padding ? tf.mul(causal, keyPaddingMask(padding)) : causal;
      const memory = encoder as tf.Tensor3D | undefined;
      const cross = parts.crossAttention;
      return this.forward(decoder as tf.Tensor3D, training, {
        self: (h) => parts.selfAttention.attend(h, h, h, mask, training).output,
        cross: cross && memory ? (h) => cross.attend(h, memory, memory, null, training).output : null,
      });
    });
  }

  /**
   * The block's one definition, shared by the full pass (`call`) and the cached step (`step`), which differ only in
   * where attention's keys and values come from: self-attention, cross-attention over the encoder output (when built
   * with one), the feed-forward network, each a residual sub-layer with its norm, then the output dropout.
   */
  private forward(x: tf.Tensor3D, training: boolean, attention: SubLayerAttention): tf.Tensor3D {
    const parts = this.requireParts();
    let h = residual(x, parts.selfAttentionNorm, this.hp, training, (input) => attention.self(input as tf.Tensor3D));
    const cross = attention.cross;
    if (cross && parts.crossAttentionNorm) {
      h = residual(h, parts.crossAttentionNorm, this.hp, training, (input) => cross(input as tf.Tensor3D));
    }
    const out = residual(h, parts.feedForwardNorm, this.hp, training, (input) =>
      parts.feedForward.apply(input, this.hp.feedForwardDropout, training),
    );
    return maybeDropout(out, this.hp.outputDropout, training) as tf.Tensor3D;
  }

  /** An empty self-attention cache for `batch` sequences of up to `maxLength` tokens. */
  initCache(batch: number, maxLength: number): DecoderCache {
    this.requireParts();
    const shape: [number, number, number, number] = [batch, this.hp.numHeads, maxLength, this.headWidth];
    return { keys: tf.zeros(shape), values: tf.zeros(shape) };
  }

  /** Projects an encoder output [batch, encLen, encDim] to cross-attention keys/values once per image. */
  precomputeCrossAttention(encoderOutput: tf.Tensor3D): EncoderMemory {
    const cross = this.requireParts().crossAttention;
    if (!cross) throw new Error(`${this.name}: built without an encoder sequence, so it has no cross-attention`);
    return tf.tidy(() => ({ keys: cross.projectKey(encoderOutput), values: cross.projectValue(encoderOutput) }));
  }

  /**
   * Decodes the token at `position` (inference: no dropout) from its input vector `x` [batch, 1, dim],
   * equal to row `position` of a full causal `call` over the same tokens.
   */
  step(x: tf.Tensor3D, cache: DecoderCache, memory: EncoderMemory | null, position: number): DecoderStepResult {
    const parts = this.requireParts();
    this.checkEncoderPresence(memory != null);
    this.checkStep(x, cache, position);
    const result = tf.tidy(() => {
      const maxLength = cache.keys.shape[2];
      // 1 at `position`, shaped to broadcast over [batch, heads, maxLength, headDim].
      const slot = tf.reshape(tf.oneHot(tf.tensor1d([position], 'int32'), maxLength), [1, 1, maxLength, 1]);
      const write = (old: tf.Tensor4D, fresh: tf.Tensor4D) =>
        tf.add(tf.mul(old, tf.sub(1, slot)), tf.mul(fresh, slot)) as tf.Tensor4D;
      const visible = tf.reshape(tf.cast(tf.lessEqual(tf.range(0, maxLength, 1, 'int32'), position), 'float32'), [
        1,
        1,
        1,
        maxLength,
      ]);
      let next: DecoderCache = cache;
      let crossAttention = null as tf.Tensor4D | null;
      const self = parts.selfAttention;
      const cross = parts.crossAttention;
      const output = this.forward(x, false, {
        self: (h) => {
          next = { keys: write(cache.keys, self.projectKey(h)), values: write(cache.values, self.projectValue(h)) };
          return self.attendProjected(self.projectQuery(h), next.keys, next.values, visible, false).output;
        },
        cross:
          cross && memory
            ? (h) => {
                const attended = cross.attendProjected(cross.projectQuery(h), memory.keys, memory.values, null, false);
                crossAttention = attended.scores;
                return attended.output;
              }
            : null,
      });
      return { output, keys: next.keys, values: next.values, crossAttention } as tf.TensorContainerObject;
    });
    const { output, keys, values, crossAttention } = result as Record<string, tf.Tensor | null>;
    return {
      output: output as tf.Tensor3D,
      cache: { keys: keys as tf.Tensor4D, values: values as tf.Tensor4D },
      crossAttention: crossAttention as tf.Tensor4D | null,
    };
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.hp };
  }

  private requireParts(): DecoderParts {
    if (!this.parts) throw new Error(`${this.name}: used before build(); apply it to a sequence first`);
    return this.parts;
  }

  private checkEncoderPresence(given: boolean): void {
    const built = this.requireParts().crossAttention != null;
    if (given !== built) {
      throw new Error(
        `${this.name}: was built ${built ? 'with' : 'without'} an encoder sequence but called ${given ? 'with' : 'without'} one`,
      );
    }
  }

  private checkStep(x: tf.Tensor3D, cache: DecoderCache, position: number): void {
    const [batch, , maxLength] = cache.keys.shape;
    if (!Number.isInteger(position) || position < 0 || position >= maxLength) {
      throw new Error(`${this.name}: position must be an integer in [0, ${maxLength - 1}], got ${position}`);
    }
    if (x.rank !== 3 || x.shape[0] !== batch || x.shape[1] !== 1) {
      throw new Error(
        `${this.name}: step input must be [${batch}, 1, dim] to match the cache, got ${JSON.stringify(x.shape)}`,
      );
    }
  }
}

/** How a sub-layer attends, given its normalised input [batch, len, dim] → [batch, len, dim]. */
interface SubLayerAttention {
  self: (h: tf.Tensor3D) => tf.Tensor;
  /** Null when the block has no encoder sequence. */
  cross: ((h: tf.Tensor3D) => tf.Tensor) | null;
}

/** Tells the decoder's optional inputs apart by rank: sequences are rank 3, the padding mask rank 2. */
function splitByRank<T extends { length?: number; shape?: unknown } | Shape>(layer: string, items: T[]) {
  const rankOf = (item: T) => (Array.isArray(item) ? item.length : (item as unknown as tf.Tensor).rank);
  const [decoder, ...rest] = items;
  const encoders = rest.filter((item) => rankOf(item) === 3);
  const paddings = rest.filter((item) => rankOf(item) === 2);
  if (
    rankOf(decoder) !== 3 ||
    encoders.length > 1 ||
    paddings.length > 1 ||
    encoders.length + paddings.length !== rest.length
  ) {
    throw new Error(
      `${layer}: inputs must be decoderSequence (rank 3), then optionally encoderSequence (rank 3) and decoderPaddingMask (rank 2); got ranks ${JSON.stringify(items.map(rankOf))}`,
    );
  }
  return { decoder, encoder: encoders[0] as T | undefined, padding: paddings[0] as T | undefined };
}

tf.serialization.registerClass(TransformerDecoderBlock);
