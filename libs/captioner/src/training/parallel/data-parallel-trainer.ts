import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendChoice } from '@imgcap/tf-runtime';
import type { CaptionModel } from '../../model/caption-model.js';
import { computeGradients, type StepMetrics, type TrainingBatch } from '../gradients.js';
import { CaptionTrainer } from '../trainer.js';
import { SharedWeightLayout } from './shared-weights.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './gradient-worker.js';

export interface DataParallelOptions {
  /** Model replicas computing gradients at once, this thread included (≥ 2; 1 needs no workers: use CaptionTrainer). */
  replicas: number;
  /** The workers' tfjs backend: the one this thread runs on. */
  backend: BackendChoice;
}

/**
 * Data-parallel training on one machine. The wasm backend runs one thread per tfjs engine, so one
 * process uses one core however many it has. This trainer splits each batch by rows into `replicas`
 * shards; `replicas − 1` worker threads (each its own engine and model copy) and this thread compute
 * their shard's gradients at once, which are averaged — weighted by target words, so the result is the
 * single-process gradient of the whole batch — and applied by this thread's Adam. Weights go out and
 * gradients come back through shared memory. Optimizer state lives here only, so checkpoints are the
 * same as CaptionTrainer's.
 */
export class DataParallelTrainer {
  private readonly local: CaptionTrainer;

  private constructor(
    private readonly model: CaptionModel,
    learningRate: number,
    private readonly layout: SharedWeightLayout,
    private readonly workers: GradientWorker[],
    private readonly sharedWeights: Float32Array,
  ) {
    this.local = new CaptionTrainer(model, learningRate);
  }

  static async create(model: CaptionModel, learningRate: number, options: DataParallelOptions): Promise<DataParallelTrainer> {
    if (!Number.isInteger(options.replicas) || options.replicas < 2) {
      throw new RangeError(`DataParallelTrainer needs replicas ≥ 2; got ${String(options.replicas)}`);
    }
    const layout = SharedWeightLayout.of(model.network.trainableWeights);
    const sharedWeights = layout.allocate();
    const file = workerFile();
    const workers = await Promise.all(
      Array.from({ length: options.replicas - 1 }, () =>
        GradientWorker.start(file, { config: model.config, backend: options.backend, weights: sharedWeights, grads: layout.allocate() }),
      ),
    );
    return new DataParallelTrainer(model, learningRate, layout, workers, sharedWeights);
  }

  get optimizer(): tf.AdamOptimizer {
    return this.local.optimizer;
  }

  get replicas(): number {
    return this.workers.length + 1;
  }

  set learningRate(value: number) {
    this.local.learningRate = value;
  }

  /** One optimizer step over the whole batch (as CaptionTrainer.step), its shards computed in parallel. */
  async step(batch: TrainingBatch): Promise<StepMetrics> {
    const weights = this.model.network.trainableWeights;
    const [own, ...others] = splitRows(batch, this.replicas);
    this.layout.write(weights.map((w) => w.read()), this.sharedWeights);
    const pending = others.map((shard, i) => this.workers[i]!.step(shard));
    const mine = computeGradients(this.model, own!);
    const theirs = await Promise.all(pending);
    const total = mine.targetWords + theirs.reduce((sum, r) => sum + r.targetWords, 0);
    const share = (words: number) => words / total;
    const grads = mine.grads.map((grad, k) =>
      tf.tidy(() =>
        theirs.reduce(
          (sum, r, i) => tf.add(sum, tf.mul(tf.tensor(this.layout.view(this.workers[i]!.grads, k), grad.shape), share(r.targetWords))),
          tf.mul(grad, share(mine.targetWords)),
        ),
      ),
    );
    tf.dispose(mine.grads);
    const weighted = (pick: (r: StepMetrics) => number) =>
      pick(mine) * share(mine.targetWords) + theirs.reduce((sum, r) => sum + pick(r) * share(r.targetWords), 0);
    const metrics = { loss: weighted((r) => r.loss), accuracy: weighted((r) => r.accuracy) };
    this.local.apply(grads, metrics.loss);
    return metrics;
  }

  evaluate(batch: TrainingBatch): StepMetrics {
    return this.local.evaluate(batch);
  }

  saveState(dir: string): Promise<void> {
    return this.local.saveState(dir);
  }

  loadState(dir: string): Promise<void> {
    return this.local.loadState(dir);
  }

  dispose(): void {
    for (const worker of this.workers) worker.close();
    this.local.dispose();
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
    });
    start += rows;
  }
  return shards;
}

/** The worker runs as plain JS: from dist when this module itself runs from TypeScript sources (tests). */
function workerFile(): URL {
  const here = new URL('./gradient-worker.js', import.meta.url);
  const path = fileURLToPath(here);
  if (existsSync(path)) return here;
  const cut = path.lastIndexOf('/src/');
  const built = cut < 0 ? path : `${path.slice(0, cut)}/dist/${path.slice(cut + 5)}`;
  if (!existsSync(built)) throw new Error(`the gradient worker is not built (${built}); run: npx nx run captioner:build`);
  return new URL(`file://${built}`);
}

/**
 * The parent's node flags minus `--conditions`: a test runner may resolve the libs to their TypeScript sources
 * (condition `@imgcap/source`), which a plain-JS worker cannot load.
 */
function withoutConditions(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    if (arg === '--conditions' || arg === '-C') i++;
    else if (!arg.startsWith('--conditions=')) kept.push(arg);
  }
  return kept;
}

/** One worker thread and its shared gradient buffer; one step at a time. */
class GradientWorker {
  private waiting: { resolve: (r: StepMetrics & { targetWords: number }) => void; reject: (e: Error) => void } | null = null;

  private constructor(
    private readonly thread: Worker,
    readonly grads: Float32Array,
  ) {
    // Referenced only while a step is in flight: an idle worker never keeps the process alive, even if the
    // trainer is not disposed (say, a run that fails between creating the trainer and its first step).
    thread.unref();
    thread.on('message', (reply: WorkerReply) => {
      const waiting = this.waiting;
      this.waiting = null;
      thread.unref();
      if (reply.type === 'done') waiting?.resolve(reply);
      else if (reply.type === 'failed') waiting?.reject(new Error(`gradient worker: ${reply.message}`));
    });
    thread.on('error', (error) => this.waiting?.reject(error));
    thread.on('exit', (code) => this.waiting?.reject(new Error(`gradient worker exited with code ${code}`)));
  }

  static start(file: URL, init: WorkerInit): Promise<GradientWorker> {
    const thread = new Worker(file, { workerData: init, execArgv: withoutConditions(process.execArgv) });
    return new Promise((resolve, reject) => {
      thread.once('message', (reply: WorkerReply) => {
        if (reply.type === 'ready') resolve(new GradientWorker(thread, init.grads));
        else reject(new Error(`gradient worker did not start: ${JSON.stringify(reply)}`));
      });
      thread.once('error', reject);
    });
  }

  step(batch: TrainingBatch): Promise<StepMetrics & { targetWords: number }> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.thread.ref();
      this.thread.postMessage({ type: 'step', batch } satisfies WorkerRequest);
    });
  }

  close(): void {
    this.thread.postMessage({ type: 'close' } satisfies WorkerRequest);
  }
}
