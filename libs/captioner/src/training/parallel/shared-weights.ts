import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';

/**
 * Every trainable weight of a model laid end to end in one SharedArrayBuffer of float32, in
 * `trainableWeights` order: how weights go to gradient workers and gradients come back without
 * structured-clone copies of tens of megabytes per step.
 */
export class SharedWeightLayout {
  readonly offsets: number[] = [];
  readonly total: number;

  constructor(readonly shapes: number[][]) {
    let offset = 0;
    for (const shape of shapes) {
      this.offsets.push(offset);
      offset += shape.reduce((a, b) => a * b, 1);
    }
    this.total = offset;
  }

  static of(weights: readonly LayerVariable[]): SharedWeightLayout {
    return new SharedWeightLayout(weights.map((w) => [...w.shape] as number[]));
  }

  allocate(): Float32Array {
    return new Float32Array(new SharedArrayBuffer(this.total * 4));
  }

  /** Copies tensors (one per weight, in order) into `into`. */
  write(tensors: readonly tf.Tensor[], into: Float32Array): void {
    tensors.forEach((tensor, i) => into.set(tensor.dataSync() as Float32Array, this.offsets[i]));
  }

  /** Weight i's values as a view of `from` (no copy). */
  view(from: Float32Array, i: number): Float32Array {
    const size = this.shapes[i]!.reduce((a, b) => a * b, 1);
    return from.subarray(this.offsets[i], this.offsets[i]! + size);
  }

  /** Sets each weight from `from`. */
  assign(weights: readonly LayerVariable[], from: Float32Array): void {
    weights.forEach((weight, i) => {
      const value = tf.tensor(this.view(from, i), this.shapes[i]);
      weight.write(value);
      value.dispose();
    });
  }
}
