import * as tf from '@tensorflow/tfjs-core';
import { layers, type Shape } from '@tensorflow/tfjs-layers';
import type { BlockSpec } from './definition/block-spec.js';
import { declareSeedEncoderBlock, seedEncoderBlock } from './definition/seed-encoder.js';
import { LayerWeights, TfTensorOps } from './internal/tf-ops.js';
import { requireBoolean, requirePositive, requirePositiveInt, requireRate } from './internal/validate.js';
import { isTraining, lastDim, weightFactory, type BaseLayerArgs, type LayerKwargs } from './internal/weights.js';

export interface SeedEncoderBlockArgs extends BaseLayerArgs {
  /** Output width: the Dense projection's units and the attention's model width. */
  embedDim: number;
  /** Attention heads. Each is `keyDim` wide, so embedDim need not be divisible by it. */
  numHeads: number;
  /** Width of every head (Keras's `key_dim`). Default: embedDim, as the seed. */
  keyDim?: number;
  /** Dropout on the attention weights while training. Default 0, as the seed. */
  dropout?: number;
  /** Epsilon of both LayerNorms. Default 1e-3, Keras's LayerNormalization default. */
  epsilon?: number;
  /** Attention weights in Keras MultiHeadAttention's shapes. Default true, so Keras weights map 1:1. */
  kerasLayout?: boolean;
}

const LAYER = 'SeedEncoderBlock';

function checkSeedEncoderArgs(args: SeedEncoderBlockArgs) {
  return {
    embedDim: requirePositiveInt(LAYER, 'embedDim', args.embedDim),
    numHeads: requirePositiveInt(LAYER, 'numHeads', args.numHeads),
    keyDim: requirePositiveInt(LAYER, 'keyDim', args.keyDim ?? args.embedDim),
    dropout: requireRate(LAYER, 'dropout', args.dropout ?? 0),
    epsilon: requirePositive(LAYER, 'epsilon', args.epsilon ?? 1e-3),
    kerasLayout: requireBoolean(LAYER, 'kerasLayout', args.kerasLayout ?? true),
  };
}

/**
 * The image encoder of the Keras captioning project imgcap ports ("the seed"), layer for layer (the maths and the
 * Keras attribute → weight names: `seedEncoderBlock` in ./definition):
 * `LayerNorm(features) → Dense(embedDim, relu) → x; LayerNorm(x + SelfAttention(x))`.
 * Input [batch, cells, channels] (e.g. 49 × 1280 from EfficientNet-B1 at 224 px) → [batch, cells, embedDim].
 */
export class SeedEncoderBlock extends layers.Layer {
  static readonly className = 'ImgcapSeedEncoderBlock';
  /** The constructor's arguments, checked once; `getConfig` serialises exactly these. */
  private readonly hp: ReturnType<typeof checkSeedEncoderArgs>;
  /** The seed's block as a spec: post-norm, no residual dropout, every head `keyDim` wide. */
  readonly blockSpec: BlockSpec;
  private declared: LayerWeights | null = null;

  constructor(args: SeedEncoderBlockArgs) {
    super(args);
    this.hp = checkSeedEncoderArgs(args);
    this.blockSpec = {
      numHeads: this.hp.numHeads,
      headDim: this.hp.keyDim,
      epsilon: this.hp.epsilon,
      normalizeFirst: false,
      residualDropout: 0,
      attentionDropout: this.hp.dropout,
      feedForwardDropout: 0,
      outputDropout: 0,
    };
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const channels = lastDim(this.name, shape, 'the image features');
    const weights = new LayerWeights(
      this.name,
      weightFactory((n, s, d, i) => this.addWeight(n, s, d, i)),
    );
    const { embedDim, kerasLayout } = this.hp;
    declareSeedEncoderBlock(weights, this.blockSpec, { channels, embedDim, kerasLayout });
    this.declared = weights;
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: LayerKwargs = {}): tf.Tensor {
    return tf.tidy(() => {
      if (!this.declared) throw new Error(`${this.name}: call() before build()`);
      const features = Array.isArray(inputs) ? inputs[0]! : inputs;
      return seedEncoderBlock(new TfTensorOps(this.declared, isTraining(kwargs)), features, this.blockSpec);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    return [...shape.slice(0, -1), this.hp.embedDim];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.hp };
  }
}

tf.serialization.registerClass(SeedEncoderBlock);
