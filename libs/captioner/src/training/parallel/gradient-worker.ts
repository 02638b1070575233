// A gradient worker of DataParallelTrainer: its own tfjs engine (wasm runs one thread per engine, so a
// second engine is what puts the second core to work) and its own copy of the model. Per step it takes
// the current weights from shared memory, computes the gradients of its shard of the batch, writes them
// to its shared gradient buffer and answers with the shard's loss, accuracy and target-word count; then
// it runs Adam over its range of the parameters when asked.
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend, type BackendChoice } from '@imgcap/tf-runtime';
import type { CaptionModelConfig } from '../../config.js';
import { CaptionModel } from '../../model/caption-model.js';
import { computeGradients, type TrainingBatch } from '../gradients.js';
import { adamUpdateRange, type AdamSettings, type SharedAdamBuffers } from './shared-adam.js';
import { SharedWeightLayout } from './shared-weights.js';

export interface WorkerInit {
  config: CaptionModelConfig;
  backend: BackendChoice;
  buffers: SharedAdamBuffers;
  /** This worker's replica index (≥ 1; the trainer's own thread is 0): which gradient buffer it writes. */
  replica: number;
  /** The trainer's weight shapes: the worker refuses to start if its model differs (e.g. a stale build). */
  shapes: number[][];
  setup?: WorkerSetup;
}

/**
 * A module each worker imports once its backend is selected, calling one of its exports with `options`: how a worker
 * gets the same kernels as the trainer's thread (e.g. `@imgcap/onnx-engine/native-matmul`'s `registerOrtMatMul`)
 * without this library importing the package that provides them.
 */
export interface WorkerSetup {
  /** A file: URL (resolve the package entry point in the caller: a worker resolves from this library's folder). */
  module: string;
  exportName: string;
  options?: unknown;
}

export type AdamRequest = {
  type: 'adam';
  shares: number[];
  settings: AdamSettings;
  step: number;
  start: number;
  end: number;
};
export type WorkerRequest =
  { type: 'step'; batch: TrainingBatch; dropoutSeed: number } | AdamRequest | { type: 'close' };
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'done'; loss: number; accuracy: number; targetWords: number }
  | { type: 'updated' }
  | { type: 'failed'; message: string };

const port = parentPort!;
const init = workerData as WorkerInit;
await selectBackend({ backend: init.backend, log: () => {} });
if (init.setup) {
  const setupModule = (await import(init.setup.module)) as Record<string, (options: unknown) => unknown>;
  const setup = setupModule[init.setup.exportName];
  if (typeof setup !== 'function')
    throw new Error(`worker setup: ${init.setup.module} exports no function ${init.setup.exportName}`);
  await setup(init.setup.options);
}
const model = new CaptionModel(init.config);
const weights = model.network.trainableWeights;
const layout = SharedWeightLayout.of(weights);
if (JSON.stringify(layout.shapes) !== JSON.stringify(init.shapes)) {
  // Shared buffers are read by offset: a model of other shapes would train on misread weights, silently.
  throw new Error(
    `gradient worker ${init.replica}: its model (${layout.total} parameters) differs from the trainer's; is ${import.meta.url} a stale build?`,
  );
}

function handle(request: WorkerRequest): WorkerReply {
  if (request.type === 'adam') {
    adamUpdateRange(init.buffers, request.shares, request.settings, request.step, request.start, request.end);
    return { type: 'updated' };
  }
  if (request.type !== 'step') throw new Error(`unknown request ${JSON.stringify(request)}`);
  layout.assign(weights, init.buffers.weights);
  const result = computeGradients(model, request.batch, request.dropoutSeed);
  layout.write(result.grads, init.buffers.grads[init.replica]!);
  result.grads.forEach((g) => g.dispose());
  return { type: 'done', loss: result.loss, accuracy: result.accuracy, targetWords: result.targetWords };
}

port.on('message', (request: WorkerRequest) => {
  if (request.type === 'close') {
    model.dispose();
    port.close();
    return;
  }
  try {
    port.postMessage(handle(request) satisfies WorkerReply);
  } catch (error) {
    port.postMessage({
      type: 'failed',
      message: error instanceof Error ? error.message : String(error),
    } satisfies WorkerReply);
  }
});
port.postMessage({ type: 'ready' } satisfies WorkerReply);
