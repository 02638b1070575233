import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendChoice } from '@imgcap/tf-runtime';
import type { CaptionModel } from '../../model/caption-model.js';
import {
  computeGradients,
  evaluateBatch,
  evaluateBatchAsync,
  stepDropoutSeed,
  type StepMetrics,
  type TrainingBatch,
} from '../gradients.js';
import { loadAdamState, saveAdamState } from '../optimizer-state.js';
import type { WorkerSetup } from './gradient-worker.js';
import { adamUpdateRange, updateRange, type SharedAdamBuffers } from './shared-adam.js';
import { SharedWeightLayout } from './shared-weights.js';
import { GradientWorker, workerFile } from './worker-client.js';

export interface DataParallelOptions {
  /** Model replicas computing gradients at once, this thread included (2–MAX_REPLICAS; 1 needs no workers: use CaptionTrainer). */
  replicas: number;
  /** The workers' tfjs backend: the one this thread runs on. */
  backend: BackendChoice;
  /** What every worker runs after selecting its backend (e.g. registering native matmul kernels, as this thread has). */
  workerSetup?: WorkerSetup;
}

/** Most replicas one trainer runs: each holds a whole model copy, and past 4 the shared Adam update stops scaling. */
export const MAX_REPLICAS = 4;

/**
 * Replicas worth running when the user leaves it to us: wasm and cpu run one thread per tfjs engine, so one
 * per core (at most MAX_REPLICAS); tfjs-node's kernels are multi-threaded already (`tensorflow`), so one.
 */
export function autoReplicaCount(backend: string, cores = availableParallelism()): number {
  // Native and GPU backends parallelise inside each kernel: one replica.
  return backend === 'tensorflow' || backend === 'webgpu' ? 1 : Math.max(1, Math.min(MAX_REPLICAS, cores));
}

/** tf.train.adam's defaults, which CaptionTrainer uses. */
const BETA1 = 0.9;
const BETA2 = 0.999;

/**
 * Data-parallel training on one machine. The wasm backend runs one thread per tfjs engine, so one
 * process uses one core however many it has. This trainer splits each batch by rows into `replicas`
 * shards; `replicas − 1` worker threads (each its own engine and model copy) and this thread compute
 * their shard's gradients at once. The gradients are averaged — weighted by target words, so the result
 * is the single-process gradient of the whole batch — inside Adam itself, which every thread runs over
 * its own range of the parameters, on weights, moments and gradients in shared memory
 * (`adamUpdateRange`: tfjs Adam's arithmetic, no tensors). The model passed in holds the updated weights
 * after every step; saved state has CaptionTrainer's layout.
 */
export class DataParallelTrainer {
  private learning: number;
  private iterations = 0;
  /** The dataId of each of the model's weights when the shared weights last matched them. */
  private synced: (tf.DataId | undefined)[] = [];

  private constructor(
    private readonly model: CaptionModel,
    learningRate: number,
    private readonly layout: SharedWeightLayout,
    private readonly buffers: SharedAdamBuffers,
    private readonly workers: GradientWorker[],
  ) {
    this.learning = learningRate;
  }

  static async create(
    model: CaptionModel,
    learningRate: number,
    options: DataParallelOptions,
  ): Promise<DataParallelTrainer> {
    if (!Number.isInteger(options.replicas) || options.replicas < 2 || options.replicas > MAX_REPLICAS) {
      throw new RangeError(`DataParallelTrainer needs 2 ≤ replicas ≤ ${MAX_REPLICAS}; got ${String(options.replicas)}`);
    }
    const layout = SharedWeightLayout.of(model.network.trainableWeights);
    const buffers: SharedAdamBuffers = {
      weights: layout.allocate(),
      firstMoment: layout.allocate(),
      secondMoment: layout.allocate(),
      grads: Array.from({ length: options.replicas }, () => layout.allocate()),
    };
    const file = workerFile();
    const workers = await Promise.all(
      Array.from({ length: options.replicas - 1 }, (_, i) =>
        GradientWorker.start(file, {
          config: model.config,
          backend: options.backend,
          buffers,
          replica: i + 1,
          shapes: layout.shapes,
          setup: options.workerSetup,
        }),
      ),
    );
    return new DataParallelTrainer(model, learningRate, layout, buffers, workers);
  }

  get replicas(): number {
    return this.workers.length + 1;
  }

  set learningRate(value: number) {
    this.learning = value;
  }

  /**
   * One optimizer step over the whole batch (as CaptionTrainer.step), its shards computed in parallel. A
   * non-finite loss skips the update, so the weights stay those of the last finite step.
   */
  async step(batch: TrainingBatch): Promise<StepMetrics> {
    this.syncChangedWeights();
    const [own, ...others] = splitRows(batch, this.replicas);
    const seedOf = (replica: number) => stepDropoutSeed(this.model.seed, this.iterations, replica);
    const pending = others.map((shard, i) => this.workers[i]!.step(shard, seedOf(i + 1)));
    const mine = computeGradients(this.model, own!, seedOf(0));
    this.layout.write(mine.grads, this.buffers.grads[0]!);
    tf.dispose(mine.grads);
    const theirs = await Promise.all(pending);
    const shards = [mine, ...theirs];
    const total = shards.reduce((sum, r) => sum + r.targetWords, 0);
    const shares = shards.map((r) => r.targetWords / total);
    const weighted = (pick: (r: StepMetrics) => number) => shards.reduce((sum, r, i) => sum + pick(r) * shares[i]!, 0);
    const metrics = { loss: weighted((r) => r.loss), accuracy: weighted((r) => r.accuracy) };
    if (Number.isFinite(metrics.loss)) await this.update(shares);
    return metrics;
  }

  /**
   * Adam over every range of the parameters at once (this thread takes range 0), then the model takes the
   * new weights. `shares` has one entry per shard of this batch (a batch smaller than the replica count
   * leaves some replicas idle, and their stale gradient buffers out).
   */
  private async update(shares: number[]): Promise<void> {
    this.iterations++;
    const settings = { learningRate: this.learning, beta1: BETA1, beta2: BETA2, epsilon: tf.backend().epsilon() };
    const parts = this.replicas;
    const total = this.layout.total;
    const pending = this.workers.map((worker, i) => {
      const [start, end] = updateRange(total, i + 1, parts);
      return worker.update({ type: 'adam', shares, settings, step: this.iterations, start, end });
    });
    const [start, end] = updateRange(total, 0, parts);
    adamUpdateRange(this.buffers, shares, settings, this.iterations, start, end);
    await Promise.all(pending);
    const weights = this.model.network.trainableWeights;
    this.layout.assign(weights, this.buffers.weights);
    this.synced = weights.map((w) => w.read().dataId);
  }

  /** Copies into shared memory any of the model's weights set from outside since the last step (its first step, a resume). */
  private syncChangedWeights(): void {
    this.model.network.trainableWeights.forEach((weight, i) => {
      const value = weight.read();
      if (value.dataId !== this.synced[i]) this.layout.writeOne(value, i, this.buffers.weights);
      this.synced[i] = value.dataId;
    });
  }

  /** The same as `step` (already asynchronous), so loops call one method whatever the trainer. */
  stepAsync(batch: TrainingBatch): Promise<StepMetrics> {
    return this.step(batch);
  }

  /** `evaluate`, read asynchronously. */
  evaluateAsync(batch: TrainingBatch): Promise<StepMetrics> {
    return evaluateBatchAsync(this.model, batch);
  }

  evaluate(batch: TrainingBatch): StepMetrics {
    return evaluateBatch(this.model, batch);
  }

  /** Saves Adam's state in CaptionTrainer's layout (step count, first moments, second moments). */
  async saveState(dir: string): Promise<void> {
    const tensors: tf.Tensor[] = [tf.scalar(this.iterations, 'int32')];
    if (this.iterations > 0)
      tensors.push(
        ...this.layout.toTensors(this.buffers.firstMoment),
        ...this.layout.toTensors(this.buffers.secondMoment),
      );
    try {
      await saveAdamState(dir, tensors);
    } finally {
      tf.dispose(tensors);
    }
  }

  async loadState(dir: string): Promise<void> {
    const [iterations, ...moments] = await loadAdamState(dir);
    try {
      if (iterations === undefined) throw new Error(`no optimizer state in ${dir}`);
      const count = this.layout.shapes.length;
      if (moments.length !== 0 && moments.length !== 2 * count)
        throw new Error(`optimizer state in ${dir} has ${moments.length} moments; the model needs ${2 * count}`);
      if (moments.length === 0) {
        this.buffers.firstMoment.fill(0);
        this.buffers.secondMoment.fill(0);
      } else {
        this.layout.fromTensors(moments.slice(0, count), this.buffers.firstMoment);
        this.layout.fromTensors(moments.slice(count), this.buffers.secondMoment);
      }
      this.iterations = iterations.dataSync()[0]!;
    } finally {
      tf.dispose([iterations, ...moments].filter((t) => t !== undefined));
    }
  }

  dispose(): void {
    for (const worker of this.workers) worker.close();
  }
}

/** Splits a batch into `parts` shards of whole rows, as even as possible (the first ones one row larger). */
export function splitRows(batch: TrainingBatch, parts: number): TrainingBatch[] {
  const rowFeatures = batch.features.length / batch.batchSize;
  const rowTokens = batch.inputTokens.length / batch.batchSize;
  const shards: TrainingBatch[] = [];
  let start = 0;
  for (let part = 0; part < parts; part++) {
    const rows = Math.floor(batch.batchSize / parts) + (part < batch.batchSize % parts ? 1 : 0);
    if (rows === 0) break;
    shards.push({
      batchSize: rows,
      features: batch.features.slice(start * rowFeatures, (start + rows) * rowFeatures),
      inputTokens: batch.inputTokens.slice(start * rowTokens, (start + rows) * rowTokens),
      targetTokens: batch.targetTokens.slice(start * rowTokens, (start + rows) * rowTokens),
      ...(batch.targetWeights
        ? { targetWeights: batch.targetWeights.slice(start * rowTokens, (start + rows) * rowTokens) }
        : {}),
    });
    start += rows;
  }
  return shards;
}
