// The trainer's side of a gradient worker thread: which file it runs, how it starts (without a test runner's source
// condition), and one request at a time over its message port.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { StepMetrics, TrainingBatch } from '../gradients.js';
import type { AdamRequest, WorkerInit, WorkerReply, WorkerRequest } from './gradient-worker.js';

/**
 * The worker runs as plain JS, so it is always the built file: the package's own `internal/gradient-worker` export
 * has no source condition, whether this module runs built or from TypeScript sources (tests).
 */
export function workerFile(): URL {
  try {
    return pathToFileURL(createRequire(import.meta.url).resolve('@imgcap/captioner/internal/gradient-worker'));
  } catch (error) {
    throw new Error(`the gradient worker is not built (${(error as Error).message}); run: npx nx run captioner:build`);
  }
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

type ShardResult = StepMetrics & { targetWords: number };

/** One worker thread; one request at a time. */
export class GradientWorker {
  private waiting: { resolve: (reply: WorkerReply) => void; reject: (e: Error) => void } | null = null;

  private constructor(private readonly thread: Worker) {
    // Referenced only while a request is in flight: an idle worker never keeps the process alive, even if the
    // trainer is not disposed (say, a run that fails between creating the trainer and its first step).
    thread.unref();
    thread.on('message', (reply: WorkerReply) => {
      const waiting = this.waiting;
      this.waiting = null;
      thread.unref();
      if (reply.type === 'failed') waiting?.reject(new Error(`gradient worker: ${reply.message}`));
      else waiting?.resolve(reply);
    });
    thread.on('error', (error) => this.waiting?.reject(error));
    thread.on('exit', (code) => this.waiting?.reject(new Error(`gradient worker exited with code ${code}`)));
  }

  static start(file: URL, init: WorkerInit): Promise<GradientWorker> {
    const thread = new Worker(file, { workerData: init, execArgv: withoutConditions(process.execArgv) });
    return new Promise((resolve, reject) => {
      thread.once('message', (reply: WorkerReply) => {
        if (reply.type === 'ready') resolve(new GradientWorker(thread));
        else reject(new Error(`gradient worker did not start: ${JSON.stringify(reply)}`));
      });
      thread.once('error', reject);
    });
  }

  /** Computes a shard's gradients into this worker's shared gradient buffer. */
  async step(batch: TrainingBatch, dropoutSeed: number): Promise<ShardResult> {
    const reply = await this.request({ type: 'step', batch, dropoutSeed });
    if (reply.type !== 'done') throw new Error(`gradient worker: unexpected reply ${reply.type} to a step`);
    return reply;
  }

  /** Runs Adam over one range of the shared parameters. */
  async update(request: AdamRequest): Promise<void> {
    const reply = await this.request(request);
    if (reply.type !== 'updated') throw new Error(`gradient worker: unexpected reply ${reply.type} to an update`);
  }

  private request(message: WorkerRequest): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.thread.ref();
      this.thread.postMessage(message);
    });
  }

  close(): void {
    this.thread.postMessage({ type: 'close' } satisfies WorkerRequest);
  }
}
