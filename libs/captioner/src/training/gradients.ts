import * as tf from '@tensorflow/tfjs-core';
import { seedDropout } from '@imgcap/transformer-blocks';
import { PAD_ID, targetAccuracy, targetCrossEntropy } from '../loss.js';
import type { CaptionModel } from '../model/caption-model.js';

/** One teacher-forcing batch: features [B, T, C], input and target ids [B, L] (targets = inputs shifted by one). */
export interface TrainingBatch {
  batchSize: number;
  features: Float32Array;
  inputTokens: Int32Array;
  targetTokens: Int32Array;
  /**
   * Optional weight of each target position [B, L] in the loss, which becomes the mean of weight × cross-entropy
   * over the scored positions (self-critical training: the caption's advantage). Without it every weight is 1.
   */
  targetWeights?: Float32Array;
}

export interface StepMetrics {
  loss: number;
  accuracy: number;
}

/** A batch's gradients, in `model.network.trainableWeights` order, with what they were computed from. */
export interface BatchGradients extends StepMetrics {
  grads: tf.Tensor[];
  /** Target words scored (positions whose target is not padding): the weight of this batch in a mean. */
  targetWords: number;
}

/** The batch as tensors; only positions whose target is not padding are scored (their indices into [B, L]). */
export function batchTensors(model: CaptionModel, batch: TrainingBatch) {
  const [tokens, channels] = model.config.featureShape;
  const length = model.config.seqLength - 1;
  const positions: number[] = [];
  batch.targetTokens.forEach((target, i) => {
    if (target !== PAD_ID) positions.push(i);
  });
  if (positions.length === 0)
    throw new Error('CaptionTrainer: the batch has no target words (every position is padding).');
  return {
    features: tf.tensor3d(batch.features, [batch.batchSize, tokens, channels]),
    inputs: tf.tensor2d(batch.inputTokens, [batch.batchSize, length], 'int32'),
    positions: tf.tensor1d(positions, 'int32'),
    targets: tf.tensor1d(
      positions.map((i) => batch.targetTokens[i]!),
      'int32',
    ),
    lossWeights: batch.targetWeights ? tf.tensor1d(positions.map((i) => batch.targetWeights![i]!)) : undefined,
  };
}

/**
 * The dropout seed of one replica's shard at one optimizer step: a function of the model's seed, the step and the
 * replica only, so a seeded run repeats exactly and a resumed run draws the masks the uninterrupted one drew.
 */
export function stepDropoutSeed(modelSeed: number, step: number, replica: number): number {
  return (
    (Math.imul(modelSeed | 0, 0x9e3779b1) ^ Math.imul(step + 1, 0x85ebca77) ^ Math.imul(replica + 1, 0xc2b2ae3d)) >>> 0
  );
}

/** A batch's gradients with its loss and accuracy still on the backend (read them with readMetrics/readMetricsAsync). */
interface PendingGradients {
  metrics: [tf.Scalar, tf.Scalar];
  targetWords: number;
  grads: tf.Tensor[];
}

/** The loss and the gradient of every trainable weight, nothing read back yet. */
function pendingGradients(model: CaptionModel, batch: TrainingBatch, dropoutSeed?: number): PendingGradients {
  if (dropoutSeed !== undefined) seedDropout(dropoutSeed);
  const weights = model.network.trainableWeights;
  const variables = weights.map((w) => w.read() as tf.Variable);
  const { features, inputs, positions, targets, lossWeights } = batchTensors(model, batch);
  let accuracy: tf.Scalar | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const logits = model.logitsAt(features, inputs, positions, true);
    accuracy = tf.keep(targetAccuracy(logits, targets));
    return targetCrossEntropy(logits, targets, lossWeights);
  }, variables);
  tf.dispose([features, inputs, positions, targets, ...(lossWeights ? [lossWeights] : [])]);
  return { metrics: [value, accuracy!], targetWords: positions.shape[0], grads: variables.map((v) => grads[v.name]!) };
}

/** Loss and accuracy tensors of a batch without gradients. */
function pendingMetrics(model: CaptionModel, batch: TrainingBatch): [tf.Scalar, tf.Scalar] {
  return tf.tidy(() => {
    const { features, inputs, positions, targets, lossWeights } = batchTensors(model, batch);
    const logits = model.logitsAt(features, inputs, positions, false);
    return [targetCrossEntropy(logits, targets, lossWeights), targetAccuracy(logits, targets)];
  });
}

/** Reads and disposes [loss, accuracy]: synchronously (cpu, wasm, tensorflow). */
function readMetrics([loss, accuracy]: [tf.Scalar, tf.Scalar]): StepMetrics {
  const metrics = { loss: loss.dataSync()[0]!, accuracy: accuracy.dataSync()[0]! };
  tf.dispose([loss, accuracy]);
  return metrics;
}

/** The same, awaiting the reads: the only way on WebGPU, whose synchronous read needs a browser canvas. */
async function readMetricsAsync([loss, accuracy]: [tf.Scalar, tf.Scalar]): Promise<StepMetrics> {
  const [l, a] = await Promise.all([loss.data(), accuracy.data()]);
  tf.dispose([loss, accuracy]);
  return { loss: l[0]!, accuracy: a[0]! };
}

/**
 * Mean masked cross-entropy of the batch, its accuracy, and the gradient of the loss for every trainable weight;
 * `dropoutSeed` restarts the dropout masks first (see stepDropoutSeed).
 */
export function computeGradients(model: CaptionModel, batch: TrainingBatch, dropoutSeed?: number): BatchGradients {
  const { metrics, targetWords, grads } = pendingGradients(model, batch, dropoutSeed);
  return { ...readMetrics(metrics), targetWords, grads };
}

/** computeGradients with the metrics read asynchronously (any backend, WebGPU included). */
export async function computeGradientsAsync(
  model: CaptionModel,
  batch: TrainingBatch,
  dropoutSeed?: number,
): Promise<BatchGradients> {
  const { metrics, targetWords, grads } = pendingGradients(model, batch, dropoutSeed);
  return { ...(await readMetricsAsync(metrics)), targetWords, grads };
}

/** Loss and accuracy of a batch without gradients (validation). */
export function evaluateBatch(model: CaptionModel, batch: TrainingBatch): StepMetrics {
  return readMetrics(pendingMetrics(model, batch));
}

/** evaluateBatch, read asynchronously. */
export function evaluateBatchAsync(model: CaptionModel, batch: TrainingBatch): Promise<StepMetrics> {
  return readMetricsAsync(pendingMetrics(model, batch));
}
