import * as tf from '@tensorflow/tfjs-core';
import { layers, type LayerVariable, type Shape } from '@tensorflow/tfjs-layers';
import { requireBoolean, requirePositiveInt } from './internal/validate.js';
import { lastDim, weightFactory, type BaseLayerArgs } from './internal/weights.js';

function firstShape(inputShape: Shape | Shape[]): Shape {
  return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
}

function firstTensor(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

/** Rows [start, start + length) of a learned position table, checked against its size. */
function positionRows(layer: string, table: LayerVariable, start: number, length: number): tf.Tensor2D {
  const [sequenceLength, dim] = table.shape as [number, number];
  if (!Number.isInteger(start) || start < 0 || start + length > sequenceLength) {
    throw new Error(
      `${layer}: positions [${start}, ${start + length}) do not fit sequenceLength ${sequenceLength} (allowed: 0 ≤ start, start + length ≤ ${sequenceLength})`,
    );
  }
  return tf.slice(table.read(), [start, 0], [length, dim]) as tf.Tensor2D;
}

export interface PositionEmbeddingArgs extends BaseLayerArgs {
  /** Longest sequence the layer accepts (rows of the learned table). */
  sequenceLength: number;
}

/**
 * Adds a learned position vector to each element of a [batch, length, dim] sequence — e.g. to the
 * image grid tokens, so the encoder knows where each patch lies.
 */
export class PositionEmbedding extends layers.Layer {
  static readonly className = 'ImgcapPositionEmbedding';
  private readonly sequenceLength: number;
  private table: LayerVariable | null = null;

  constructor(args: PositionEmbeddingArgs) {
    super(args);
    this.sequenceLength = requirePositiveInt('PositionEmbedding', 'sequenceLength', args.sequenceLength);
  }

  override build(inputShape: Shape | Shape[]): void {
    const dim = lastDim(this.name, firstShape(inputShape), 'the input sequence');
    const add = weightFactory((n, s, d, i) => this.addWeight(n, s, d, i));
    this.table = add('embeddings', [this.sequenceLength, dim], 'glorot');
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = firstTensor(inputs);
      return tf.add(x, positionRows(this.name, this.requireTable(), 0, x.shape[1] as number));
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return firstShape(inputShape);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), sequenceLength: this.sequenceLength };
  }

  private requireTable(): LayerVariable {
    if (!this.table) throw new Error(`${this.name}: call() before build()`);
    return this.table;
  }
}

export interface TokenAndPositionEmbeddingArgs extends BaseLayerArgs {
  vocabSize: number;
  /** Longest sequence the layer accepts (rows of the learned position table). */
  sequenceLength: number;
  embedDim: number;
  /** Multiply token vectors by √embedDim before adding positions, as the seed's Keras model did. Default false. */
  scaleBySqrtDim?: boolean;
}

/**
 * Token ids [batch, length] → token vector + learned position vector, [batch, length, embedDim].
 * Produces no mask: callers derive padding from the token ids (id 0 = padding by their convention).
 */
export class TokenAndPositionEmbedding extends layers.Layer {
  static readonly className = 'ImgcapTokenAndPositionEmbedding';
  private readonly vocabSize: number;
  private readonly sequenceLength: number;
  private readonly embedDim: number;
  private readonly scaleBySqrtDim: boolean;
  private tokenTable: LayerVariable | null = null;
  private positionTable: LayerVariable | null = null;

  constructor(args: TokenAndPositionEmbeddingArgs) {
    super(args);
    const name = 'TokenAndPositionEmbedding';
    this.vocabSize = requirePositiveInt(name, 'vocabSize', args.vocabSize);
    this.sequenceLength = requirePositiveInt(name, 'sequenceLength', args.sequenceLength);
    this.embedDim = requirePositiveInt(name, 'embedDim', args.embedDim);
    this.scaleBySqrtDim = requireBoolean(name, 'scaleBySqrtDim', args.scaleBySqrtDim ?? false);
  }

  override build(): void {
    const add = weightFactory((n, s, d, i) => this.addWeight(n, s, d, i));
    this.tokenTable = add('token_embedding/embeddings', [this.vocabSize, this.embedDim], 'embedding');
    this.positionTable = add('position_embedding/embeddings', [this.sequenceLength, this.embedDim], 'glorot');
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => this.embed(firstTensor(inputs), 0));
  }

  /**
   * Embeds tokens that sit at positions [startPosition, startPosition + length): the incremental
   * decoder feeds one token per step, which must get its own position's vector.
   */
  embedAt(tokenIds: tf.Tensor2D, startPosition: number): tf.Tensor3D {
    return tf.tidy(() => this.embed(tokenIds, startPosition)) as tf.Tensor3D;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...firstShape(inputShape), this.embedDim];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      vocabSize: this.vocabSize,
      sequenceLength: this.sequenceLength,
      embedDim: this.embedDim,
      scaleBySqrtDim: this.scaleBySqrtDim,
    };
  }

  private embed(tokenIds: tf.Tensor, start: number): tf.Tensor {
    if (!this.tokenTable || !this.positionTable) throw new Error(`${this.name}: call() before build()`);
    if (tokenIds.rank !== 2) {
      throw new Error(`${this.name}: token ids must be [batch, length], got shape ${JSON.stringify(tokenIds.shape)}`);
    }
    // Symbolic model inputs default to float32; gather needs integer indices.
    const tokens = tf.gather(this.tokenTable.read(), tf.cast(tokenIds, 'int32'));
    const scaled = this.scaleBySqrtDim ? tf.mul(tokens, Math.sqrt(this.embedDim)) : tokens;
    return tf.add(scaled, positionRows(this.name, this.positionTable, start, tokenIds.shape[1] as number));
  }
}

tf.serialization.registerClass(PositionEmbedding);
tf.serialization.registerClass(TokenAndPositionEmbedding);
