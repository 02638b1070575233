// A gradient worker of DataParallelTrainer: its own tfjs engine (wasm runs one thread per engine, so a
// second engine is what puts the second core to work) and its own copy of the model. Per step it takes
// the current weights from shared memory, computes the gradients of its shard of the batch, writes them
// to shared memory and answers with the shard's loss, accuracy and target-word count.
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend, type BackendChoice } from '@imgcap/tf-runtime';
import type { CaptionModelConfig } from '../../config.js';
import { CaptionModel } from '../../model/caption-model.js';
import { computeGradients, type TrainingBatch } from '../gradients.js';
import { SharedWeightLayout } from './shared-weights.js';

export interface WorkerInit {
  config: CaptionModelConfig;
  backend: BackendChoice;
  weights: Float32Array;
  grads: Float32Array;
}

export type WorkerRequest = { type: 'step'; batch: TrainingBatch } | { type: 'close' };
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'done'; loss: number; accuracy: number; targetWords: number }
  | { type: 'failed'; message: string };

const port = parentPort!;
const init = workerData as WorkerInit;
await selectBackend({ backend: init.backend, log: () => {} });
const model = new CaptionModel(init.config);
const weights = model.network.trainableWeights;
const layout = SharedWeightLayout.of(weights);

port.on('message', (request: WorkerRequest) => {
  if (request.type === 'close') {
    model.dispose();
    port.close();
    return;
  }
  try {
    layout.assign(weights, init.weights);
    const result = computeGradients(model, request.batch);
    layout.write(result.grads, init.grads);
    result.grads.forEach((g) => g.dispose());
    port.postMessage({ type: 'done', loss: result.loss, accuracy: result.accuracy, targetWords: result.targetWords } satisfies WorkerReply);
  } catch (error) {
    port.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies WorkerReply);
  }
});
port.postMessage({ type: 'ready' } satisfies WorkerReply);
