import * as tf from '@tensorflow/tfjs-core';
import type { CaptionModel } from '../model/caption-model.js';
import { loadAdamState, saveAdamState } from './optimizer-state.js';
import {
  computeGradients,
  computeGradientsAsync,
  evaluateBatch,
  evaluateBatchAsync,
  stepDropoutSeed,
  type StepMetrics,
  type TrainingBatch,
} from './gradients.js';

export type { StepMetrics, TrainingBatch } from './gradients.js';

/**
 * Adam on masked sparse cross-entropy over logits, with masked next-token accuracy (padding never
 * counts). The variable order given to Adam is the model's trainable-weight order, which is stable
 * across rebuilds of the same config — that is what lets optimizer state be saved and restored.
 */
export class CaptionTrainer {
  readonly optimizer: tf.AdamOptimizer;

  constructor(
    private readonly model: CaptionModel,
    learningRate: number,
  ) {
    this.optimizer = tf.train.adam(learningRate);
  }

  set learningRate(value: number) {
    (this.optimizer as unknown as { learningRate: number }).learningRate = value;
  }

  /**
   * One optimizer step; returns the batch's loss and accuracy before the update. A non-finite loss
   * skips the update, so the weights stay those of the last finite step (the caller decides to stop).
   */
  step(batch: TrainingBatch): StepMetrics {
    const step = (this.optimizer as unknown as { iterations: number }).iterations;
    const shard = computeGradients(this.model, batch, stepDropoutSeed(this.model.seed, step, 0));
    const metrics = { loss: shard.loss, accuracy: shard.accuracy };
    this.apply(shard.grads, metrics.loss);
    return metrics;
  }

  /** `step`, reading the metrics asynchronously: what a loop that may run on WebGPU calls. */
  async stepAsync(batch: TrainingBatch): Promise<StepMetrics> {
    const step = (this.optimizer as unknown as { iterations: number }).iterations;
    const shard = await computeGradientsAsync(this.model, batch, stepDropoutSeed(this.model.seed, step, 0));
    const metrics = { loss: shard.loss, accuracy: shard.accuracy };
    this.apply(shard.grads, metrics.loss);
    return metrics;
  }

  /** Applies gradients given in `trainableWeights` order, unless the loss they came with is not finite. Disposes them. */
  private apply(grads: tf.Tensor[], loss: number): void {
    if (Number.isFinite(loss)) {
      const named: tf.NamedTensorMap = {};
      this.model.network.trainableWeights.forEach(
        (weight, i) => (named[(weight.read() as tf.Variable).name] = grads[i]!),
      );
      this.optimizer.applyGradients(named as unknown as Record<string, tf.Variable>);
    }
    tf.dispose(grads);
  }

  /** Loss and accuracy without updating (validation). */
  evaluate(batch: TrainingBatch): StepMetrics {
    return evaluateBatch(this.model, batch);
  }

  /** `evaluate`, read asynchronously (WebGPU). */
  evaluateAsync(batch: TrainingBatch): Promise<StepMetrics> {
    return evaluateBatchAsync(this.model, batch);
  }

  /** Saves Adam's step count and moments, in variable order. */
  async saveState(dir: string): Promise<void> {
    await saveAdamState(
      dir,
      (await this.optimizer.getWeights()).map(({ tensor }) => tensor),
    );
  }

  async loadState(dir: string): Promise<void> {
    const tensors = await loadAdamState(dir);
    await this.optimizer.setWeights(tensors.map((tensor, i) => ({ name: String(i), tensor })));
    tf.dispose(tensors);
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
