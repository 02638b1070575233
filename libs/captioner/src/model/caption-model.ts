import * as tf from '@tensorflow/tfjs-core';
import {
  layers,
  model as functionalModel,
  input,
  type LayersModel,
  type SymbolicTensor,
} from '@tensorflow/tfjs-layers';
import type {
  BlockSpec,
  SeedEncoderBlock,
  TokenAndPositionEmbedding,
  TransformerDecoderBlock,
  TransformerEncoderBlock,
} from '@imgcap/transformer-blocks';
import { validateConfig, type Architecture, type CaptionModelConfig } from '../config.js';
import { ARCHITECTURE_BUILDERS, ENCODER_LAYERS, LAYER_NAMES } from './architectures.js';

export { LAYER_NAMES } from './architectures.js';

/** Keras's `Embedding` initialiser, uniform in ±0.05: the seed architecture starts its tables like the seed. */
const KERAS_EMBEDDING_LIMIT = 0.05;

/** Glorot-uniform limit with Keras's fans: a rank-3 attention kernel [in, heads, dim] counts like a 1-D conv kernel. */
function glorotLimit(shape: number[]): number {
  if (shape.length === 1) return Math.sqrt(6 / (2 * shape[0]!));
  if (shape.length === 2) return Math.sqrt(6 / (shape[0]! + shape[1]!));
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return Math.sqrt(6 / ((shape[shape.length - 2]! + shape[shape.length - 1]!) * receptive));
}

/**
 * tfjs initialisers draw from an unseeded generator. Every weight that is not constant (biases,
 * LayerNorm gamma/beta are) is redrawn from a generator seeded by `seed` and the weight's position,
 * which is stable for a given config: Glorot-uniform, except the seed architecture's embedding tables.
 */
function reseedWeights(network: LayersModel, seed: number, arch: Architecture): void {
  network.weights.forEach((weight, index) => {
    // Biases, LayerNorm gammas and betas start constant (zeros, ones) and stay so; known by name rather than read
    // back, since WebGPU cannot read synchronously (the same weights either way: checked for both architectures).
    if (/\/(bias|beta|gamma)$/.test(weight.originalName)) return;
    const shape = weight.shape as number[];
    const embedding = arch === 'seed' && weight.originalName.endsWith('/embeddings');
    const limit = embedding ? KERAS_EMBEDDING_LIMIT : glorotLimit(shape);
    tf.tidy(() => {
      weight.write(tf.randomUniform(shape, -limit, limit, 'float32', seed * 7919 + index));
    });
  });
}

/**
 * Backbone features → Transformer encoder → Transformer decoder → logits over the vocabulary, in one of two
 * architectures (`config.arch`, see ARCHITECTURES): the seed's Keras network exactly, or imgcap's own.
 * With the `patch` backbone the encoder's first Dense layer is a ViT-style patch embedding.
 */
export class CaptionModel {
  readonly config: CaptionModelConfig & { arch: Architecture };
  /** [features [B, T, C], input tokens [B, L]] → logits [B, L, V]; saved and trained as one model. */
  readonly network: LayersModel;
  private readonly encoderNetwork: LayersModel;
  /** The same layers up to the decoder output [B, L, D], so training can apply the logits to chosen rows only. */
  private readonly decoderNetwork: LayersModel;

  /** The run's seed (0 when none was given): trainers derive each step's dropout masks from it. */
  readonly seed: number;

  /**
   * `seed` makes the initial weights a function of the seed alone (see `reseedWeights`), so two runs
   * with the same config start from the same point — what lets a resumed run retrace an uninterrupted one.
   */
  constructor(config: CaptionModelConfig, options: { seed?: number } = {}) {
    this.config = validateConfig(config);
    this.seed = options.seed ?? 0;
    const { featureShape, seqLength, vocabSize, arch } = this.config;
    const features = input({ shape: featureShape, name: LAYER_NAMES.features });
    const tokens = input({ shape: [seqLength - 1], dtype: 'int32', name: LAYER_NAMES.tokens });
    const { encoded, decoded } = ARCHITECTURE_BUILDERS[arch](this.config, features, tokens);
    const logits = layers.dense({ units: vocabSize, name: LAYER_NAMES.logits }).apply(decoded) as SymbolicTensor;
    this.network = functionalModel({ inputs: [features, tokens], outputs: logits, name: 'captioner' });
    this.encoderNetwork = functionalModel({ inputs: features, outputs: encoded, name: 'captioner_encoder' });
    this.decoderNetwork = functionalModel({ inputs: [features, tokens], outputs: decoded, name: 'captioner_decoder' });
    if (options.seed !== undefined) reseedWeights(this.network, options.seed, arch);
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

  /** The resolved specs of the encoder and decoder blocks: what an exporter rebuilds them from. */
  blockSpecs(): { encoder: BlockSpec; decoder: BlockSpec } {
    const encoder = this.network.getLayer(LAYER_NAMES.encoder) as TransformerEncoderBlock | SeedEncoderBlock;
    return { encoder: encoder.blockSpec, decoder: this.decoderBlock.blockSpec };
  }

  get logitsLayer(): layers.Layer {
    return this.network.getLayer(LAYER_NAMES.logits);
  }

  /** Total parameter count (all trainable: the backbone is outside this model). */
  countParams(): number {
    return this.network.countParams();
  }

  /**
   * Parameters of the encoder (projection, positions and encoder block) and of the decoder (token and position
   * embedding, decoder block, vocabulary projection): the split of the seed's `model.summary()`.
   */
  parameterCounts(): { encoder: number; decoder: number } {
    const encoder = this.network.layers
      .filter((l) => ENCODER_LAYERS.includes(l.name))
      .reduce((sum, l) => sum + l.countParams(), 0);
    return { encoder, decoder: this.countParams() - encoder };
  }

  dispose(): void {
    this.network.dispose();
  }
}
