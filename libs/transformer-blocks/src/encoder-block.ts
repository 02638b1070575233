import * as tf from '@tensorflow/tfjs-core';
import { layers, type Shape } from '@tensorflow/tfjs-layers';
import { LayerNormParts } from './layer-norm.js';
import { AttentionParts, keyPaddingMask } from './internal/attention-parts.js';
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

export type TransformerEncoderBlockArgs = BaseLayerArgs & TransformerBlockArgs;

const LAYER = 'TransformerEncoderBlock';

/**
 * Self-attention + feed-forward, each with a residual connection and LayerNorm. Input: a sequence
 * [batch, length, dim], or `[sequence, paddingMask]` with paddingMask [batch, length] (1 = real).
 */
export class TransformerEncoderBlock extends layers.Layer {
  static readonly className = 'ImgcapTransformerEncoderBlock';
  private readonly hp: BlockHyperparams;
  private parts: {
    attention: AttentionParts;
    attentionNorm: LayerNormParts;
    feedForward: FeedForwardParts;
    feedForwardNorm: LayerNormParts;
  } | null = null;

  constructor(args: TransformerEncoderBlockArgs) {
    super(args);
    this.hp = validateBlockArgs(LAYER, args);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const hidden = lastDim(this.name, shape, 'the input sequence');
    const perHead = headDim(this.name, hidden, this.hp);
    const add = weightFactory((n, s, d, i) => this.addWeight(n, s, d, i));
    const { intermediateDim, epsilon } = this.hp;
    this.parts = {
      attention: AttentionParts.create(add, 'self_attention/', attentionHyperparams(this.hp, perHead), {
        queryDim: hidden,
        keyDim: hidden,
        valueDim: hidden,
      }),
      attentionNorm: LayerNormParts.create(add, 'self_attention_norm/', hidden, epsilon),
      feedForward: FeedForwardParts.create(add, 'feedforward_', hidden, intermediateDim),
      feedForwardNorm: LayerNormParts.create(add, 'feedforward_norm/', hidden, epsilon),
    };
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: LayerKwargs = {}): tf.Tensor {
    return tf.tidy(() => {
      if (!this.parts) throw new Error(`${this.name}: call() before build()`);
      const { attention, attentionNorm, feedForward, feedForwardNorm } = this.parts;
      const [x, padding] = Array.isArray(inputs) ? inputs : [inputs];
      const mask = padding ? keyPaddingMask(padding) : null;
      const training = isTraining(kwargs);
      const attended = residual(x, attentionNorm, this.hp, training, (h) => {
        const seq = h as tf.Tensor3D;
        return attention.attend(seq, seq, seq, mask, training).output;
      });
      const out = residual(attended, feedForwardNorm, this.hp, training, (h) =>
        feedForward.apply(h, this.hp.feedForwardDropout, training),
      );
      return maybeDropout(out, this.hp.outputDropout, training);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.hp };
  }
}

tf.serialization.registerClass(TransformerEncoderBlock);
