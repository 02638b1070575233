import * as tf from '@tensorflow/tfjs-core';
import { layers, model as functionalModel, input, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import {
  PositionEmbedding,
  TokenAndPositionEmbedding,
  TransformerDecoderBlock,
  TransformerEncoderBlock,
} from '@imgcap/transformer-blocks';
import { validateConfig, type CaptionModelConfig } from '../config.js';

/** Layer names are part of the saved format: weights load back by these names. */
export const LAYER_NAMES = {
  features: 'image_features',
  tokens: 'caption_tokens',
  projection: 'image_projection',
  imagePosition: 'image_position',
  encoder: 'encoder_block',
  embedding: 'token_embedding',
  decoder: 'decoder_block',
  logits: 'logits',
} as const;

/**
 * tfjs initialisers draw from an unseeded generator. Every weight that is not constant (biases,
 * LayerNorm gamma/beta are) is redrawn Glorot-uniform from a generator seeded by `seed` and the
 * weight's position, which is stable for a given config.
 */
function reseedWeights(network: LayersModel, seed: number): void {
  network.weights.forEach((weight, index) => {
    const current = weight.read();
    const constant = tf.tidy(() => tf.max(current).dataSync()[0] === tf.min(current).dataSync()[0]);
    if (constant) return;
    const shape = weight.shape as number[];
    const fanOut = shape[shape.length - 1]!;
    const fanIn = shape.length > 1 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : fanOut;
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    tf.tidy(() => {
      weight.write(tf.randomUniform(shape, -limit, limit, 'float32', seed * 7919 + index));
    });
  });
}

/**
 * Backbone features → Transformer encoder → Transformer decoder → logits over the vocabulary.
 *
 * The encoder starts with a trainable Dense projection of each grid cell (as the seed's Keras encoder
 * does) plus a learned position embedding — the seed had none, so its encoder could not tell where a
 * feature came from. With the `patch` backbone this projection is a ViT-style patch embedding.
 */
export class CaptionModel {
  readonly config: CaptionModelConfig;
  /** [features [B, T, C], input tokens [B, L]] → logits [B, L, V]; saved and trained as one model. */
  readonly network: LayersModel;
  private readonly encoderNetwork: LayersModel;
  /** The same layers up to the decoder output [B, L, D], so training can apply the logits to chosen rows only. */
  private readonly decoderNetwork: LayersModel;

  /**
   * `seed` makes the initial weights a function of the seed alone (see `reseedWeights`), so two runs
   * with the same config start from the same point — what lets a resumed run retrace an uninterrupted one.
   */
  constructor(config: CaptionModelConfig, options: { seed?: number } = {}) {
    this.config = validateConfig(config);
    const { featureShape, seqLength, embedDim, ffDim, encHeads, decHeads, dropout, vocabSize } = config;
    const decoderLength = seqLength - 1;
    const features = input({ shape: featureShape, name: LAYER_NAMES.features });
    const tokens = input({ shape: [decoderLength], dtype: 'int32', name: LAYER_NAMES.tokens });
    const projected = layers.dense({ units: embedDim, activation: 'relu', name: LAYER_NAMES.projection }).apply(features);
    const positioned = new PositionEmbedding({ sequenceLength: featureShape[0], name: LAYER_NAMES.imagePosition }).apply(projected);
    const encoded = new TransformerEncoderBlock({ intermediateDim: ffDim, numHeads: encHeads, dropout, name: LAYER_NAMES.encoder }).apply(
      positioned,
    ) as SymbolicTensor;
    const embedded = new TokenAndPositionEmbedding({
      vocabSize,
      sequenceLength: decoderLength,
      embedDim,
      scaleBySqrtDim: true,
      name: LAYER_NAMES.embedding,
    }).apply(tokens);
    const decoded = new TransformerDecoderBlock({ intermediateDim: ffDim, numHeads: decHeads, dropout, name: LAYER_NAMES.decoder }).apply([
      embedded as SymbolicTensor,
      encoded,
    ]);
    const logits = layers.dense({ units: vocabSize, name: LAYER_NAMES.logits }).apply(decoded) as SymbolicTensor;
    this.network = functionalModel({ inputs: [features, tokens], outputs: logits, name: 'captioner' });
    this.encoderNetwork = functionalModel({ inputs: features, outputs: encoded, name: 'captioner_encoder' });
    this.decoderNetwork = functionalModel({ inputs: [features, tokens], outputs: decoded as SymbolicTensor, name: 'captioner_decoder' });
    if (options.seed !== undefined) reseedWeights(this.network, options.seed);
  }

  /** Image features [B, T, C] → encoder output [B, T, D]. */
  encode(features: tf.Tensor3D, training = false): tf.Tensor3D {
    return tf.tidy(() => this.encoderNetwork.apply(features, { training }) as tf.Tensor3D);
  }

  /** Teacher-forced logits [B, L, V] for input tokens [B, L]. */
  logits(features: tf.Tensor3D, tokens: tf.Tensor2D, training = false): tf.Tensor3D {
    return tf.tidy(() => this.network.apply([features, tokens], { training }) as tf.Tensor3D);
  }

  /**
   * Teacher-forced logits [P, V] of only the positions listed (row-major indices into [B, L]). Training asks for
   * the positions whose target is a word: padding needs no logits, and the vocabulary projection with its
   * softmax is the largest cost of a step (on Flickr30k at seq 36 most positions are padding).
   */
  logitsAt(features: tf.Tensor3D, tokens: tf.Tensor2D, positions: tf.Tensor1D, training = false): tf.Tensor2D {
    return tf.tidy(() => {
      const states = this.decoderNetwork.apply([features, tokens], { training }) as tf.Tensor3D;
      const [batch, length, width] = states.shape;
      const picked = tf.gather(tf.reshape(states, [batch * length, width]), positions);
      return this.logitsLayer.apply(picked) as tf.Tensor2D;
    });
  }

  /** Logits [B, L, V] of input tokens [B, L] given an already-encoded image [B, T, D]. */
  decodeFull(encoded: tf.Tensor3D, tokens: tf.Tensor2D, training = false): tf.Tensor3D {
    return tf.tidy(() => {
      const embedded = this.tokenEmbedding.apply(tokens) as tf.Tensor3D;
      const decoded = this.decoderBlock.apply([embedded, encoded], { training }) as tf.Tensor3D;
      return this.logitsLayer.apply(decoded) as tf.Tensor3D;
    });
  }

  get tokenEmbedding(): TokenAndPositionEmbedding {
    return this.network.getLayer(LAYER_NAMES.embedding) as TokenAndPositionEmbedding;
  }

  get decoderBlock(): TransformerDecoderBlock {
    return this.network.getLayer(LAYER_NAMES.decoder) as TransformerDecoderBlock;
  }

  get logitsLayer(): layers.Layer {
    return this.network.getLayer(LAYER_NAMES.logits);
  }

  /** Total parameter count (all trainable: the backbone is outside this model). */
  countParams(): number {
    return this.network.countParams();
  }

  dispose(): void {
    this.network.dispose();
  }
}
