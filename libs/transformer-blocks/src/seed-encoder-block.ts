import * as tf from '@tensorflow/tfjs-core';
import { layers, type Shape } from '@tensorflow/tfjs-layers';
import { LayerNormParts } from './layer-norm.js';
import { AttentionParts } from './internal/attention-parts.js';
import { requireBoolean, requirePositive, requirePositiveInt, requireRate } from './internal/validate.js';
import {
  addDense,
  applyDense,
  isTraining,
  lastDim,
  weightFactory,
  type BaseLayerArgs,
  type DenseParams,
  type LayerKwargs,
} from './internal/weights.js';

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

interface Parts {
  featureNorm: LayerNormParts;
  projection: DenseParams;
  attention: AttentionParts;
  attentionNorm: LayerNormParts;
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
 * The image encoder of the Keras captioning project imgcap ports ("the seed"), layer for layer:
 * `LayerNorm(features) → Dense(embedDim, relu) → x; LayerNorm(x + SelfAttention(x))`. No feed-forward
 * network and no position embedding: the grid cells are attended to as an unordered set.
 * Input [batch, cells, channels] (e.g. 49 × 1280 from EfficientNet-B1 at 224 px) → [batch, cells, embedDim].
 *
 * Weights (Keras attribute → name here): layernorm_1 → feature_norm, dense_1 → feature_projection,
 * attention_1 → self_attention (query, key, value, attention_output), layernorm_2 → self_attention_norm.
 */
export class SeedEncoderBlock extends layers.Layer {
  static readonly className = 'ImgcapSeedEncoderBlock';
  /** The constructor's arguments, checked once; `getConfig` serialises exactly these. */
  private readonly hp: ReturnType<typeof checkSeedEncoderArgs>;
  private parts: Parts | null = null;

  constructor(args: SeedEncoderBlockArgs) {
    super(args);
    this.hp = checkSeedEncoderArgs(args);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const channels = lastDim(this.name, shape, 'the image features');
    const add = weightFactory((n, s, d, i) => this.addWeight(n, s, d, i));
    const { embedDim, numHeads, keyDim, dropout, epsilon, kerasLayout } = this.hp;
    this.parts = {
      featureNorm: LayerNormParts.create(add, 'feature_norm/', channels, epsilon),
      projection: addDense(add, 'feature_projection', channels, embedDim),
      attention: AttentionParts.create(
        add,
        'self_attention/',
        { numHeads, keyDim, valueDim: keyDim, dropout, useBias: true, kerasLayout },
        { queryDim: embedDim, keyDim: embedDim, valueDim: embedDim },
      ),
      attentionNorm: LayerNormParts.create(add, 'self_attention_norm/', embedDim, epsilon),
    };
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: LayerKwargs = {}): tf.Tensor {
    return tf.tidy(() => {
      if (!this.parts) throw new Error(`${this.name}: call() before build()`);
      const { featureNorm, projection, attention, attentionNorm } = this.parts;
      const features = Array.isArray(inputs) ? inputs[0]! : inputs;
      const x = tf.relu(applyDense(featureNorm.apply(features), projection)) as tf.Tensor3D;
      const attended = attention.attend(x, x, x, null, isTraining(kwargs)).output;
      return attentionNorm.apply(tf.add(x, attended));
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
