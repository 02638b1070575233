import * as tf from '@tensorflow/tfjs-core';
import { initializers, layers, type LayerVariable } from '@tensorflow/tfjs-layers';

/** Base-layer options (name, trainable, dtype…); tfjs-layers does not export its `LayerArgs` type. */
export type BaseLayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;

/** The tfjs-layers `Kwargs` type, which is not exported either. */
export type LayerKwargs = Record<string, unknown>;

/**
 * Creates one named weight on the owning layer. Blocks register every weight of their parts through
 * this, because tfjs-layers 4.22 does not collect the weights of nested layers: a block built from
 * `tf.layers.dense` sublayers would train, save and load none of them.
 */
export type WeightFactory = (name: string, shape: number[], init: 'glorot' | 'zeros' | 'ones' | 'embedding') => LayerVariable;

const INITIALIZERS = {
  glorot: () => initializers.glorotUniform({}),
  zeros: () => initializers.zeros(),
  ones: () => initializers.ones(),
  // Keras' Embedding default, so token tables start like the seed's.
  embedding: () => initializers.randomUniform({ minval: -0.05, maxval: 0.05 }),
};

/** Adapts a layer's protected `addWeight` into a `WeightFactory`. */
export function weightFactory(
  addWeight: (name: string, shape: number[], dtype: 'float32', init: ReturnType<typeof initializers.zeros>) => LayerVariable,
): WeightFactory {
  return (name, shape, init) => addWeight(name, shape, 'float32', INITIALIZERS[init]());
}

/** Weights of one affine projection `x · kernel + bias` over the last axis. */
export interface DenseParams {
  readonly kernel: LayerVariable;
  readonly bias: LayerVariable | null;
}

export function addDense(add: WeightFactory, name: string, inputDim: number, units: number, useBias = true): DenseParams {
  return {
    kernel: add(`${name}/kernel`, [inputDim, units], 'glorot'),
    bias: useBias ? add(`${name}/bias`, [units], 'zeros') : null,
  };
}

/** Applies a projection to a tensor of any rank ≥ 2 (batch and time axes are flattened for one matMul). */
export function applyDense(x: tf.Tensor, params: DenseParams): tf.Tensor {
  const [inputDim, units] = params.kernel.shape as [number, number];
  const leading = x.shape.slice(0, -1);
  const flat = tf.matMul(tf.reshape(x, [-1, inputDim]), params.kernel.read() as tf.Tensor2D);
  const withBias = params.bias ? tf.add(flat, params.bias.read()) : flat;
  return tf.reshape(withBias, [...leading, units]);
}

/** Dropout that is only active while training, as in Keras. */
export function maybeDropout(x: tf.Tensor, rate: number, training: boolean): tf.Tensor {
  return training && rate > 0 ? tf.dropout(x, rate) : x;
}

export function isTraining(kwargs: LayerKwargs | undefined): boolean {
  return kwargs?.['training'] === true;
}

/** Static last-axis width of a build-time shape; a block cannot create weights for an unknown width. */
export function lastDim(layerName: string, shape: (number | null)[], what: string): number {
  const dim = shape[shape.length - 1];
  if (dim == null) {
    throw new Error(`${layerName}: the last axis of ${what} must be known at build time, got shape ${JSON.stringify(shape)}`);
  }
  return dim;
}
