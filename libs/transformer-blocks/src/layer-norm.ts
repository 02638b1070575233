import * as tf from '@tensorflow/tfjs-core';
import { layers, type LayerVariable, type Shape } from '@tensorflow/tfjs-layers';
import { requirePositive } from './internal/validate.js';
import { lastDim, weightFactory, type BaseLayerArgs, type WeightFactory } from './internal/weights.js';

export interface LayerNormArgs extends BaseLayerArgs {
  /** Added to the variance before the square root. Default 1e-5 (keras-hub's Transformer default). */
  epsilon?: number;
}

/** Weights and maths of one layer normalisation over the last axis, shared with the blocks. */
export class LayerNormParts {
  private constructor(
    private readonly gamma: LayerVariable,
    private readonly beta: LayerVariable,
    private readonly epsilon: number,
  ) {}

  static create(add: WeightFactory, prefix: string, dim: number, epsilon: number): LayerNormParts {
    return new LayerNormParts(add(`${prefix}gamma`, [dim], 'ones'), add(`${prefix}beta`, [dim], 'zeros'), epsilon);
  }

  /**
   * Plain broadcasting ops: tfjs-layers' own layerNormalization tiles gamma/beta to the input's
   * shape, which makes its backward pass several times slower.
   */
  apply<T extends tf.Tensor>(x: T): T {
    const { mean, variance } = tf.moments(x, -1, true);
    const normalised = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
    return tf.add(tf.mul(normalised, this.gamma.read()), this.beta.read()) as T;
  }
}

/** Layer normalisation over the last axis with learned scale (gamma) and offset (beta). */
export class LayerNorm extends layers.Layer {
  static readonly className = 'ImgcapLayerNorm';
  private readonly epsilon: number;
  private parts: LayerNormParts | null = null;

  constructor(args: LayerNormArgs = {}) {
    super(args);
    this.epsilon = requirePositive('LayerNorm', 'epsilon', args.epsilon ?? 1e-5);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const add = weightFactory((n, s, d, i) => this.addWeight(n, s, d, i));
    this.parts = LayerNormParts.create(add, '', lastDim(this.name, shape, 'the input'), this.epsilon);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (!this.parts) throw new Error(`${this.name}: call() before build()`);
      return this.parts.apply(x);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}

tf.serialization.registerClass(LayerNorm);
