import * as tf from '@tensorflow/tfjs-core';
import { layers, type Shape } from '@tensorflow/tfjs-layers';
import type { BlockSpec } from './definition/block-spec.js';
import { crossAttentionMemory, declareDecoderBlock, decoderBlock, decoderBlockStep } from './definition/decoder.js';
import {
  headDim,
  resolveBlockSpec,
  validateBlockArgs,
  type BlockHyperparams,
  type TransformerBlockArgs,
} from './internal/block-parts.js';
import { causalMask, keyPaddingMask } from './internal/masks.js';
import { LayerWeights, TfTensorOps } from './internal/tf-ops.js';
import { isTraining, lastDim, weightFactory, type BaseLayerArgs, type LayerKwargs } from './internal/weights.js';

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

interface Prepared {
  readonly spec: BlockSpec;
  readonly weights: LayerWeights;
  readonly hasEncoder: boolean;
}

const LAYER = 'TransformerDecoderBlock';

/**
 * Causal self-attention, cross-attention over an encoder sequence (only when one is given at build
 * time), feed-forward; each with a residual connection and LayerNorm (the maths: `decoderBlock` and
 * `decoderBlockStep` in ./definition). Inputs, told apart by rank: `decoderSequence` [batch, len, dim], plus
 * optionally an `encoderSequence` [batch, encLen, encDim] and a `decoderPaddingMask` [batch, len] (1 = real token),
 * e.g. `[tokens, encoded, padding]`.
 */
export class TransformerDecoderBlock extends layers.Layer {
  static readonly className = 'ImgcapTransformerDecoderBlock';
  private readonly hp: BlockHyperparams;
  private prepared: Prepared | null = null;

  constructor(args: TransformerDecoderBlockArgs) {
    super(args);
    this.hp = validateBlockArgs(LAYER, args);
  }

  /** The resolved spec the block computes with (known once built). */
  get blockSpec(): BlockSpec {
    return this.requirePrepared().spec;
  }

  override build(inputShape: Shape | Shape[]): void {
    const { decoder, encoder } = splitByRank(
      this.name,
      Array.isArray(inputShape[0]) ? (inputShape as Shape[]) : [inputShape as Shape],
    );
    const hidden = lastDim(this.name, decoder, 'the decoder sequence');
    const spec = resolveBlockSpec(this.hp, headDim(this.name, hidden, this.hp));
    const weights = new LayerWeights(
      this.name,
      weightFactory((n, s, d, i) => this.addWeight(n, s, d, i)),
    );
    declareDecoderBlock(weights, spec, {
      hidden,
      encoderDim: encoder ? lastDim(this.name, encoder, 'the encoder sequence') : null,
      intermediate: this.hp.intermediateDim,
      kerasLayout: this.hp.kerasLayout,
    });
    this.prepared = { spec, weights, hasEncoder: encoder != null };
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: LayerKwargs = {}): tf.Tensor {
    return tf.tidy(() => {
      const { spec, weights } = this.requirePrepared();
      const { decoder, encoder, padding } = splitByRank(this.name, Array.isArray(inputs) ? inputs : [inputs]);
      this.checkEncoderPresence(encoder != null);
      const len = decoder.shape[1] as number;
      const causal = causalMask(len, len);
      const visible = padding ? tf.mul(causal, keyPaddingMask(padding)) : causal;
      const ops = new TfTensorOps(weights, isTraining(kwargs));
      return decoderBlock(ops, decoder, visible, encoder ?? null, spec);
    });
  }

  /** An empty self-attention cache for `batch` sequences of up to `maxLength` tokens. */
  initCache(batch: number, maxLength: number): DecoderCache {
    const { spec } = this.requirePrepared();
    const shape: [number, number, number, number] = [batch, spec.numHeads, maxLength, spec.headDim];
    return { keys: tf.zeros(shape), values: tf.zeros(shape) };
  }

  /** Projects an encoder output [batch, encLen, encDim] to cross-attention keys/values once per image. */
  precomputeCrossAttention(encoderOutput: tf.Tensor3D): EncoderMemory {
    const { spec, weights, hasEncoder } = this.requirePrepared();
    if (!hasEncoder) throw new Error(`${this.name}: built without an encoder sequence, so it has no cross-attention`);
    return tf.tidy(() => {
      const memory = crossAttentionMemory(new TfTensorOps(weights, false), encoderOutput, spec);
      return { keys: memory.keys as tf.Tensor4D, values: memory.values as tf.Tensor4D };
    });
  }

  /**
   * Decodes the token at `position` (inference: no dropout) from its input vector `x` [batch, 1, dim],
   * equal to row `position` of a full causal `call` over the same tokens.
   */
  step(x: tf.Tensor3D, cache: DecoderCache, memory: EncoderMemory | null, position: number): DecoderStepResult {
    const { spec, weights } = this.requirePrepared();
    this.checkEncoderPresence(memory != null);
    this.checkStep(x, cache, position);
    const result = tf.tidy(() => {
      const maxLength = cache.keys.shape[2];
      const positions = tf.range(0, maxLength, 1, 'int32');
      const slot = tf.reshape(tf.cast(tf.equal(positions, position), 'float32'), [1, 1, maxLength, 1]);
      const visible = tf.reshape(tf.cast(tf.lessEqual(positions, position), 'float32'), [1, 1, 1, maxLength]);
      const ops = new TfTensorOps(weights, false);
      const stepped = decoderBlockStep<tf.Tensor>(ops, x, { cache, slot, visible, memory }, spec);
      const { output, cache: next, crossScores } = stepped;
      return { output, keys: next.keys, values: next.values, crossAttention: crossScores } as tf.TensorContainerObject;
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

  private requirePrepared(): Prepared {
    if (!this.prepared) throw new Error(`${this.name}: used before build(); apply it to a sequence first`);
    return this.prepared;
  }

  private checkEncoderPresence(given: boolean): void {
    const built = this.requirePrepared().hasEncoder;
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
