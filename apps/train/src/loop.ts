import { batchCount, createBatches } from '@imgcap/flickr-dataset';
import type { LoopState } from './checkpoints.js';
import type { LoopIO, PhaseEpoch, PhaseStep } from './phases.js';
import { prefetch } from './prefetch.js';
import { scstPhase } from './scst/phase.js';
import { createEpochProgress, type EpochProgress } from './progress.js';
import { getLr } from './schedule.js';
import type { TrainingSession } from './session.js';
import { validate } from './validate.js';

/** Exit codes: 0 done, 3 non-finite loss, 130 interrupted (checkpoint saved). */
export const EXIT = { ok: 0, nonFinite: 3, interrupted: 130 } as const;
const LOG_EVERY = 10;

type StepOutcome = { code: number } | null;

/**
 * The epochs of steps from `initial`: `epochs` of cross-entropy, then `scst_epochs` of self-critical training; each
 * epoch ends with validation and a checkpoint.
 */
export async function trainEpochs(session: TrainingSession, io: LoopIO): Promise<{ code: number; state: LoopState }> {
  const { config } = session;
  const state = { ...session.initial };
  const totalEpochs = config.epochs + config.scst_epochs;
  const scst = config.scst_epochs > 0 ? scstPhase(session, io) : null;
  for (; state.epoch < totalEpochs; state.epoch++, state.batchInEpoch = 0) {
    const steps = state.epoch < config.epochs ? crossEntropySteps(session, state) : await scst!.steps(state);
    const progress = createEpochProgress(state.epoch, totalEpochs, steps.batches, {
      startBatch: state.batchInEpoch,
      second: steps.split === 'scst' ? 'reward' : 'acc',
    });
    for await (const step of steps.each) {
      const outcome = await trainStep(session, io, state, step, {
        progress,
        batches: steps.batches,
        split: steps.split,
      });
      if (outcome) return { code: outcome.code, state };
    }
    progress.stop();
    if (await endOfEpoch(session, io, state)) break;
  }
  return { code: EXIT.ok, state };
}

/** One epoch of teacher-forced cross-entropy steps over the training captions. */
function crossEntropySteps(session: TrainingSession, state: LoopState): PhaseEpoch {
  const { config, data, store, trainer } = session;
  const batches = createBatches({
    examples: data.examples.train,
    batchSize: config.batch_size,
    seed: config.seed,
    epoch: state.epoch,
    startBatch: state.batchInEpoch,
    featuresFor: (ids) => store.featuresFor(ids),
  });
  async function* each(): AsyncGenerator<PhaseStep> {
    for await (const batch of prefetch(batches)) {
      yield {
        examples: batch.batchSize,
        lr: getLr(state.globalStep, config.lr, config.warmup_steps),
        run: () => trainer.stepAsync(batch),
      };
    }
  }
  return { split: 'train', batches: batchCount(data.examples.train.length, config.batch_size), each: each() };
}

/** One optimizer step, its progress and metrics, and the checkpoint it may owe; a stop code ends the loop. */
async function trainStep(
  session: TrainingSession,
  io: LoopIO,
  state: LoopState,
  step: PhaseStep,
  { progress, batches, split }: { progress: EpochProgress; batches: number; split: PhaseEpoch['split'] },
): Promise<StepOutcome> {
  const { trainer, tracker, checkpoints } = session;
  trainer.learningRate = step.lr;
  const t0 = performance.now();
  const m = await step.run();
  const seconds = (performance.now() - t0) / 1000;
  if (!Number.isFinite(m.loss)) {
    progress.stop();
    io.log(
      `error: the loss became ${m.loss} at step ${state.globalStep + 1} (epoch ${state.epoch + 1}); stopping. ` +
        `The last good checkpoints in ${checkpoints.dir} are untouched; lower the learning rate and --resume.`,
    );
    return { code: EXIT.nonFinite };
  }
  state.globalStep++;
  state.batchInEpoch++;
  state.examplesSeen += step.examples;
  state.trainSeconds += seconds;
  if (m.accuracy !== undefined) {
    const totals = state.epochTotals ?? { loss: 0, accuracy: 0, steps: 0 };
    state.epochTotals = { loss: totals.loss + m.loss, accuracy: totals.accuracy + m.accuracy, steps: totals.steps + 1 };
  }
  const examplesPerSecond = step.examples / seconds;
  progress.update(state.batchInEpoch, { ...m, step: state.globalStep, examplesPerSecond });
  io.onStep?.(state.globalStep, m.loss);
  if (state.globalStep % LOG_EVERY === 0 || state.batchInEpoch === batches) {
    tracker.log(
      state.globalStep,
      { ...m, lr: step.lr, examples_per_s: examplesPerSecond },
      { epoch: state.epoch, split },
    );
  }
  return checkpointIfDue(session, io, state, progress);
}

/** A periodic checkpoint, or the one an interrupt asks for (then the loop stops). */
async function checkpointIfDue(
  session: TrainingSession,
  io: LoopIO,
  state: LoopState,
  progress: EpochProgress,
): Promise<StepOutcome> {
  const { config, checkpoints } = session;
  const periodic = config.checkpoint_every > 0 && state.globalStep % config.checkpoint_every === 0;
  if (periodic || io.isInterrupted()) await checkpoints.save(state, session.writeCheckpoint);
  if (!io.isInterrupted()) return null;
  progress.stop();
  io.log(`interrupted at step ${state.globalStep}; checkpoint saved. Continue with the same command plus --resume.`);
  return { code: EXIT.interrupted };
}

/**
 * Validates, saves the epoch's checkpoint (and the best), and says whether early stopping ends the run. The best is
 * the lowest validation loss in cross-entropy epochs and the highest CIDEr-D in self-critical ones; early stopping in
 * cross-entropy moves on to self-critical training when that follows.
 */
async function endOfEpoch(session: TrainingSession, io: LoopIO, state: LoopState): Promise<boolean> {
  const { config, trainer, model, data, store, tracker, checkpoints } = session;
  const v = await validate(trainer, model, data.tokenizer, session.held, store, config.batch_size);
  const metrics = { loss: v.loss, accuracy: v.accuracy, bleu4: v.bleu4, cider: v.cider };
  tracker.log(state.globalStep, metrics, { epoch: state.epoch, split: 'val' });
  // The Keras project's epoch metrics under its callback's names, so its W&B panels and train_history.csv show them.
  const totals = state.epochTotals;
  if (totals && totals.steps > 0) {
    const keras = { loss: totals.loss / totals.steps, acc: totals.accuracy / totals.steps };
    tracker.log(state.globalStep, { ...keras, val_loss: v.loss, val_acc: v.accuracy }, { epoch: state.epoch });
  }
  state.epochTotals = undefined;
  const totalEpochs = config.epochs + config.scst_epochs;
  io.log(
    `epoch ${state.epoch + 1}/${totalEpochs}: val loss ${v.loss.toFixed(4)} acc ${v.accuracy.toFixed(3)} BLEU-4 ${v.bleu4.toFixed(3)} CIDEr-D ${v.cider.toFixed(3)}` +
      (v.samples[0] ? ` | ${v.samples[0].id}: "${v.samples[0].caption}"` : ''),
  );
  const improved = recordBest(state, state.epoch < config.epochs ? 'loss' : 'cider', v);
  const stop = config.patience > 0 && state.epochsWithoutImprovement >= config.patience;
  const toScst = stop && state.epoch < config.epochs && config.scst_epochs > 0;
  const nextEpoch = toScst ? config.epochs : state.epoch + 1;
  await checkpoints.save({ ...state, epoch: nextEpoch, batchInEpoch: 0 }, session.writeCheckpoint, { best: improved });
  if (!stop) return false;
  const best = state.best ? ` (best: epoch ${state.best.epoch + 1})` : '';
  io.log(`early stopping: no validation improvement for ${config.patience} epochs${best}.`);
  if (!toScst) return true;
  io.log('self-critical training follows.');
  state.epoch = nextEpoch - 1;
  return false;
}

/** Updates the best value of the phase's monitored metric; true when this epoch is the new best. */
export function recordBest(state: LoopState, metric: 'loss' | 'cider', v: { loss: number; cider: number }): boolean {
  const value = metric === 'loss' ? v.loss : v.cider;
  const better = (a: number, b: number) => (metric === 'loss' ? a < b : a > b);
  const improved = Number.isFinite(value) && (state.best === null || better(value, state.best.value));
  if (improved) {
    state.best = { value, step: state.globalStep, epoch: state.epoch, metric };
    state.epochsWithoutImprovement = 0;
  } else {
    state.epochsWithoutImprovement++;
  }
  return improved;
}
