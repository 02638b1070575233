import * as tf from '@tensorflow/tfjs-core';
import { loadNamedTensors, saveNamedTensors } from '@imgcap/tf-runtime';
import { PAD_ID, targetAccuracy, targetCrossEntropy } from '../loss.js';
import type { CaptionModel } from '../model/caption-model.js';

/** One teacher-forcing batch: features [B, T, C], input and target ids [B, L] (targets = inputs shifted by one). */
export interface TrainingBatch {
  batchSize: number;
  features: Float32Array;
  inputTokens: Int32Array;
  targetTokens: Int32Array;
}

export interface StepMetrics {
  loss: number;
  accuracy: number;
}

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

  /** The batch as tensors; only positions whose target is not padding are scored (their indices into [B, L]). */
  private tensors(batch: TrainingBatch) {
    const [tokens, channels] = this.model.config.featureShape;
    const length = this.model.config.seqLength - 1;
    const positions: number[] = [];
    batch.targetTokens.forEach((target, i) => {
      if (target !== PAD_ID) positions.push(i);
    });
    if (positions.length === 0) throw new Error('CaptionTrainer: the batch has no target words (every position is padding).');
    return {
      features: tf.tensor3d(batch.features, [batch.batchSize, tokens, channels]),
      inputs: tf.tensor2d(batch.inputTokens, [batch.batchSize, length], 'int32'),
      positions: tf.tensor1d(positions, 'int32'),
      targets: tf.tensor1d(positions.map((i) => batch.targetTokens[i]!), 'int32'),
    };
  }

  /**
   * One optimizer step; returns the batch's loss and accuracy before the update. A non-finite loss
   * skips the update, so the weights stay those of the last finite step (the caller decides to stop).
   */
  step(batch: TrainingBatch): StepMetrics {
    const variables = this.model.network.trainableWeights.map((w) => w.read() as tf.Variable);
    const { features, inputs, positions, targets } = this.tensors(batch);
    let accuracy: tf.Scalar | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const logits = this.model.logitsAt(features, inputs, positions, true);
      accuracy = tf.keep(targetAccuracy(logits, targets));
      return targetCrossEntropy(logits, targets);
    }, variables);
    const metrics = { loss: value.dataSync()[0]!, accuracy: accuracy!.dataSync()[0]! };
    if (Number.isFinite(metrics.loss)) this.optimizer.applyGradients(grads as unknown as Record<string, tf.Variable>);
    tf.dispose([value, accuracy!, features, inputs, positions, targets, ...Object.values(grads)]);
    return metrics;
  }

  /** Loss and accuracy without updating (validation). */
  evaluate(batch: TrainingBatch): StepMetrics {
    const [loss, accuracy] = tf.tidy(() => {
      const { features, inputs, positions, targets } = this.tensors(batch);
      const logits = this.model.logitsAt(features, inputs, positions, false);
      return [targetCrossEntropy(logits, targets), targetAccuracy(logits, targets)];
    });
    const metrics = { loss: loss!.dataSync()[0]!, accuracy: accuracy!.dataSync()[0]! };
    tf.dispose([loss!, accuracy!]);
    return metrics;
  }

  /** Saves Adam's step count and moments, in variable order. */
  async saveState(dir: string): Promise<void> {
    const weights = await this.optimizer.getWeights();
    const map: tf.NamedTensorMap = {};
    weights.forEach(({ tensor }, i) => (map[String(i).padStart(6, '0')] = tensor));
    await saveNamedTensors(dir, map);
  }

  async loadState(dir: string): Promise<void> {
    const map = await loadNamedTensors(dir);
    const names = Object.keys(map).sort();
    await this.optimizer.setWeights(names.map((name) => ({ name, tensor: map[name]! })));
    tf.dispose(Object.values(map));
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
