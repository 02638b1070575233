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
    tensors.forEach((tensor, i) => this.writeOne(tensor, i, into));
  }

  /** Copies the tensor of weight i into its place in `into`: one copy, straight from the wasm heap where it lives there. */
  writeOne(tensor: tf.Tensor, i: number, into: Float32Array): void {
    const backend = tf.backend() as unknown as { typedArrayFromHeap?: (t: tf.TensorInfo) => Float32Array };
    const values =
      tf.getBackend() === 'wasm' && backend.typedArrayFromHeap ? backend.typedArrayFromHeap(tensor) : tensor.dataSync();
    into.set(values as Float32Array, this.offsets[i]);
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

  /** Values of `from` as one tensor per weight, in order. */
  toTensors(from: Float32Array): tf.Tensor[] {
    return this.shapes.map((shape, i) => tf.tensor(this.view(from, i), shape));
  }

  /** Copies tensors shaped as the weights (in order) into `into`, checking each shape. */
  fromTensors(tensors: readonly tf.Tensor[], into: Float32Array): void {
    if (tensors.length !== this.shapes.length)
      throw new Error(`expected ${this.shapes.length} tensors, got ${tensors.length}`);
    tensors.forEach((tensor, i) => {
      if (!tf.util.arraysEqual(tensor.shape, this.shapes[i]!)) {
        throw new Error(`tensor ${i} has shape [${tensor.shape}], the model's weight ${i} [${this.shapes[i]}]`);
      }
      into.set(tensor.dataSync() as Float32Array, this.offsets[i]);
    });
  }
}
