import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { weightPath, type DenseOptions, type TensorOps, type WeightDeclarer } from '../definition/tensor-ops.js';
import { addDense, applyDense, maybeDropout, type DenseParams, type WeightFactory } from './weights.js';

interface NormParams {
  readonly gamma: LayerVariable;
  readonly beta: LayerVariable;
}

/** A layer's weights, created through its `WeightFactory` in the order a definition declares them, found by path. */
export class LayerWeights implements WeightDeclarer {
  private readonly denses = new Map<string, DenseParams>();
  private readonly norms = new Map<string, NormParams>();

  constructor(
    private readonly layerName: string,
    private readonly add: WeightFactory,
  ) {}

  dense(name: string, inputDim: number, units: number, options: DenseOptions = {}): void {
    this.denses.set(name, addDense(this.add, name, inputDim, units, options.useBias ?? true, options.stored));
  }

  layerNorm(name: string, dim: number): void {
    const gamma = this.add(weightPath(name, 'gamma'), [dim], 'ones');
    this.norms.set(name, { gamma, beta: this.add(weightPath(name, 'beta'), [dim], 'zeros') });
  }

  denseParams(name: string): DenseParams {
    return this.find(this.denses, name, 'projection');
  }

  normParams(name: string): NormParams {
    return this.find(this.norms, name, 'LayerNorm');
  }

  private find<V>(map: Map<string, V>, name: string, what: string): V {
    const found = map.get(name);
    if (!found) throw new Error(`${this.layerName}: no ${what} "${name}" (has: ${[...map.keys()].join(', ')})`);
    return found;
  }
}

/** The block definitions' operations on tfjs tensors, with one layer's weights; dropout only when `training`. */
export class TfTensorOps implements TensorOps<tf.Tensor> {
  constructor(
    private readonly weights: LayerWeights,
    private readonly training: boolean,
  ) {}

  dense(x: tf.Tensor, name: string): tf.Tensor {
    return applyDense(x, this.weights.denseParams(name));
  }

  /**
   * Plain broadcasting ops: tfjs-layers' own layerNormalization tiles gamma/beta to the input's shape, which makes its
   * backward pass several times slower.
   */
  layerNorm(x: tf.Tensor, name: string, epsilon: number): tf.Tensor {
    const { gamma, beta } = this.weights.normParams(name);
    const { mean, variance } = tf.moments(x, -1, true);
    const normalised = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
    return tf.add(tf.mul(normalised, gamma.read()), beta.read());
  }

  add(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
    return tf.add(a, b);
  }

  mul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
    return tf.mul(a, b);
  }

  scale(x: tf.Tensor, factor: number): tf.Tensor {
    return tf.mul(x, factor);
  }

  complement(x: tf.Tensor): tf.Tensor {
    return tf.sub(1, x);
  }

  relu(x: tf.Tensor): tf.Tensor {
    return tf.relu(x);
  }

  softmax(x: tf.Tensor): tf.Tensor {
    return tf.softmax(x);
  }

  matMul(a: tf.Tensor, b: tf.Tensor, transposeB = false): tf.Tensor {
    return tf.matMul(a, b, false, transposeB);
  }

  splitHeads(x: tf.Tensor, numHeads: number, headDim: number): tf.Tensor {
    const [batch, len] = x.shape;
    return tf.transpose(tf.reshape(x, [batch!, len!, numHeads, headDim]), [0, 2, 1, 3]);
  }

  mergeHeads(x: tf.Tensor, numHeads: number, headDim: number): tf.Tensor {
    const [batch, , len] = x.shape;
    return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [batch!, len!, numHeads * headDim]);
  }

  dropout(x: tf.Tensor, rate: number): tf.Tensor {
    return maybeDropout(x, rate, this.training);
  }
}
