import * as tf from '@tensorflow/tfjs-core';
import { layers, type Shape } from '@tensorflow/tfjs-layers';
import { requirePositive } from './internal/validate.js';
import { LayerWeights, TfTensorOps } from './internal/tf-ops.js';
import { lastDim, weightFactory, type BaseLayerArgs } from './internal/weights.js';

export interface LayerNormArgs extends BaseLayerArgs {
  /** Added to the variance before the square root. Default 1e-5 (keras-hub's Transformer default). */
  epsilon?: number;
}

/** Layer normalisation over the last axis with learned scale (gamma) and offset (beta). */
export class LayerNorm extends layers.Layer {
  static readonly className = 'ImgcapLayerNorm';
  private readonly epsilon: number;
  private declared: LayerWeights | null = null;

  constructor(args: LayerNormArgs = {}) {
    super(args);
    this.epsilon = requirePositive('LayerNorm', 'epsilon', args.epsilon ?? 1e-5);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const weights = new LayerWeights(
      this.name,
      weightFactory((n, s, d, i) => this.addWeight(n, s, d, i)),
    );
    weights.layerNorm('', lastDim(this.name, shape, 'the input'));
    this.declared = weights;
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (!this.declared) throw new Error(`${this.name}: call() before build()`);
      return new TfTensorOps(this.declared, false).layerNorm(x!, '', this.epsilon);
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
