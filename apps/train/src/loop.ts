import type { TrainingBatch } from '@imgcap/captioner/training';
import { batchCount, createBatches } from '@imgcap/flickr-dataset';
import type { LoopState } from './checkpoints.js';
import { prefetch } from './prefetch.js';
import { createEpochProgress, type EpochProgress } from './progress.js';
import { getLr } from './schedule.js';
import type { TrainingSession } from './session.js';
import { validate } from './validate.js';

/** Exit codes: 0 done, 3 non-finite loss, 130 interrupted (checkpoint saved). */
export const EXIT = { ok: 0, nonFinite: 3, interrupted: 130 } as const;
const LOG_EVERY = 10;

export interface LoopIO {
  log: (message: string) => void;
  /** Test hook: called after every optimizer step with the step's loss. */
  onStep?: (step: number, loss: number) => void;
  /** True once SIGINT/SIGTERM arrived: the loop checkpoints after the current step and stops. */
  isInterrupted: () => boolean;
}

type StepOutcome = { code: number } | null;

/** The epochs of steps from `initial`; each epoch ends with validation and a checkpoint. */
export async function trainEpochs(session: TrainingSession, io: LoopIO): Promise<{ code: number; state: LoopState }> {
  const { config, data, store } = session;
  const state = { ...session.initial };
  const batches = batchCount(data.examples.train.length, config.batch_size);
  for (; state.epoch < config.epochs; state.epoch++, state.batchInEpoch = 0) {
    const progress = createEpochProgress(state.epoch, config.epochs, batches, { startBatch: state.batchInEpoch });
    const epochBatches = createBatches({
      examples: data.examples.train,
      batchSize: config.batch_size,
      seed: config.seed,
      epoch: state.epoch,
      startBatch: state.batchInEpoch,
      featuresFor: (ids) => store.featuresFor(ids),
    });
    for await (const batch of prefetch(epochBatches)) {
      const outcome = await trainStep(session, io, state, batch, { progress, batches });
      if (outcome) return { code: outcome.code, state };
    }
    progress.stop();
    if (await endOfEpoch(session, io, state)) break;
  }
  return { code: EXIT.ok, state };
}

/** One optimizer step, its progress and metrics, and the checkpoint it may owe; a stop code ends the loop. */
async function trainStep(
  session: TrainingSession,
  io: LoopIO,
  state: LoopState,
  batch: TrainingBatch,
  { progress, batches }: { progress: EpochProgress; batches: number },
): Promise<StepOutcome> {
  const { config, trainer, tracker, checkpoints } = session;
  trainer.learningRate = getLr(state.globalStep, config.lr, config.warmup_steps);
  const t0 = performance.now();
  const m = await trainer.step(batch);
  const seconds = (performance.now() - t0) / 1000;
  if (!Number.isFinite(m.loss)) {
    progress.stop();
    io.log(
      `error: the loss became ${m.loss} at step ${state.globalStep + 1} (epoch ${state.epoch + 1}); stopping. ` +
        `The last good checkpoints in ${checkpoints.dir} are untouched; lower --lr or raise --warmup_steps and --resume.`,
    );
    return { code: EXIT.nonFinite };
  }
  state.globalStep++;
  state.batchInEpoch++;
  state.examplesSeen += batch.batchSize;
  state.trainSeconds += seconds;
  const examplesPerSecond = batch.batchSize / seconds;
  progress.update(state.batchInEpoch, {
    step: state.globalStep,
    loss: m.loss,
    accuracy: m.accuracy,
    examplesPerSecond,
  });
  io.onStep?.(state.globalStep, m.loss);
  if (state.globalStep % LOG_EVERY === 0 || state.batchInEpoch === batches) {
    const lr = getLr(state.globalStep - 1, config.lr, config.warmup_steps);
    const metrics = { loss: m.loss, accuracy: m.accuracy, lr, examples_per_s: examplesPerSecond };
    tracker.log(state.globalStep, metrics, { epoch: state.epoch, split: 'train' });
  }
  const periodic = config.checkpoint_every > 0 && state.globalStep % config.checkpoint_every === 0;
  if (periodic || io.isInterrupted()) await checkpoints.save(state, session.writeCheckpoint);
  if (!io.isInterrupted()) return null;
  progress.stop();
  io.log(`interrupted at step ${state.globalStep}; checkpoint saved. Continue with the same command plus --resume.`);
  return { code: EXIT.interrupted };
}

/** Validates, saves the epoch's checkpoint (and the best), and says whether early stopping triggers. */
async function endOfEpoch(session: TrainingSession, io: LoopIO, state: LoopState): Promise<boolean> {
  const { config, trainer, model, data, store, tracker, checkpoints } = session;
  const v = await validate(trainer, model, data.tokenizer, session.held, store, config.batch_size);
  const metrics = { loss: v.loss, accuracy: v.accuracy, bleu4: v.bleu4, cider: v.cider };
  tracker.log(state.globalStep, metrics, { epoch: state.epoch, split: 'val' });
  io.log(
    `epoch ${state.epoch + 1}/${config.epochs}: val loss ${v.loss.toFixed(4)} acc ${v.accuracy.toFixed(3)} BLEU-4 ${v.bleu4.toFixed(3)} CIDEr-D ${v.cider.toFixed(3)}` +
      (v.samples[0] ? ` | ${v.samples[0].id}: "${v.samples[0].caption}"` : ''),
  );
  const improved = Number.isFinite(v.loss) && (state.best === null || v.loss < state.best.value);
  if (improved) {
    state.best = { value: v.loss, step: state.globalStep, epoch: state.epoch };
    state.epochsWithoutImprovement = 0;
  } else {
    state.epochsWithoutImprovement++;
  }
  const next = { ...state, epoch: state.epoch + 1, batchInEpoch: 0 };
  await checkpoints.save(next, session.writeCheckpoint, { best: improved });
  if (config.patience > 0 && state.epochsWithoutImprovement >= config.patience) {
    const best = state.best ? ` (best: epoch ${state.best.epoch + 1})` : '';
    io.log(`early stopping: no validation improvement for ${config.patience} epochs${best}.`);
    return true;
  }
  return false;
}
