import * as tf from '@tensorflow/tfjs-core';
import { dropout } from './dropout.js';
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
export type WeightFactory = (
  name: string,
  shape: number[],
  init: 'glorot' | 'zeros' | 'ones' | 'embedding',
) => LayerVariable;

const INITIALIZERS = {
  glorot: () => initializers.glorotUniform({}),
  zeros: () => initializers.zeros(),
  ones: () => initializers.ones(),
  // Keras' Embedding default, so token tables start like the seed's.
  embedding: () => initializers.randomUniform({ minval: -0.05, maxval: 0.05 }),
};

/** Adapts a layer's protected `addWeight` into a `WeightFactory`. */
export function weightFactory(
  addWeight: (
    name: string,
    shape: number[],
    dtype: 'float32',
    init: ReturnType<typeof initializers.zeros>,
  ) => LayerVariable,
): WeightFactory {
  return (name, shape, init) => addWeight(name, shape, 'float32', INITIALIZERS[init]());
}

/** Weights of one affine projection `x · kernel + bias` over the last axis. */
export interface DenseParams {
  readonly kernel: LayerVariable;
  readonly bias: LayerVariable | null;
  /** [inputDim, units]: the matrix the kernel is multiplied as, whatever shape it is stored in. */
  readonly matrix: readonly [number, number];
}

/**
 * Stored shapes other than [inputDim, units] / [units] with the same row-major values: Keras's
 * MultiHeadAttention keeps a heads axis (query kernel [in, heads, keyDim], output kernel
 * [heads, valueDim, out]), and storing weights in Keras's own shapes lets its files map 1:1.
 */
export interface StoredShapes {
  readonly kernel: number[];
  readonly bias: number[];
}

export function addDense(
  add: WeightFactory,
  name: string,
  inputDim: number,
  units: number,
  useBias = true,
  stored?: StoredShapes,
): DenseParams {
  return {
    kernel: add(`${name}/kernel`, stored?.kernel ?? [inputDim, units], 'glorot'),
    bias: useBias ? add(`${name}/bias`, stored?.bias ?? [units], 'zeros') : null,
    matrix: [inputDim, units],
  };
}

/** Applies a projection to a tensor of any rank ≥ 2 (batch and time axes are flattened for one matMul). */
export function applyDense(x: tf.Tensor, params: DenseParams): tf.Tensor {
  const [inputDim, units] = params.matrix;
  const leading = x.shape.slice(0, -1);
  // A reshape shares the variable's data (no copy), so wasm's packed-weight cache still recognises it.
  const kernel = params.kernel.read();
  const matrix = kernel.rank === 2 ? (kernel as tf.Tensor2D) : tf.reshape(kernel, [inputDim, units]);
  const flat = tf.matMul(tf.reshape(x, [-1, inputDim]), matrix as tf.Tensor2D);
  const bias = params.bias?.read();
  const withBias = bias ? tf.add(flat, bias.rank === 1 ? bias : tf.reshape(bias, [units])) : flat;
  return tf.reshape(withBias, [...leading, units]);
}

/** Dropout that is only active while training, as in Keras (masks: see ./dropout.ts). */
export function maybeDropout(x: tf.Tensor, rate: number, training: boolean): tf.Tensor {
  return training && rate > 0 ? dropout(x, rate) : x;
}

export function isTraining(kwargs: LayerKwargs | undefined): boolean {
  return kwargs?.['training'] === true;
}

/** Static last-axis width of a build-time shape; a block cannot create weights for an unknown width. */
export function lastDim(layerName: string, shape: (number | null)[], what: string): number {
  const dim = shape[shape.length - 1];
  if (dim == null) {
    throw new Error(
      `${layerName}: the last axis of ${what} must be known at build time, got shape ${JSON.stringify(shape)}`,
    );
  }
  return dim;
}
