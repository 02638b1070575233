import { join } from 'node:path';
import { loadModelWeights, saveCaptionBundle, writeBundleFiles, type CaptionModel, type CaptionTrainer, type DataParallelTrainer } from '@imgcap/captioner';
import { createBatches, batchCount, type ImageRecord } from '@imgcap/flickr-dataset';
import { createTracker, createWandbSink, type Tracker } from '@imgcap/tracking';
import { CheckpointStore, type LoopState } from './checkpoints.js';
import type { TrainConfig } from './config.js';
import type { PreparedData } from './data.js';
import type { FeatureStore } from './features.js';
import { prefetch } from './prefetch.js';
import { createEpochProgress } from './progress.js';
import { writeRunReport } from './report.js';
import { buildTraining, dataSplitOf, loadFeatures, loadRunData, openTrainingRun, sampleOf } from './run-setup.js';
import { getLr } from './schedule.js';
import { validate } from './validate.js';

/** Exit codes: 0 done, 3 non-finite loss, 130 interrupted (checkpoint saved). */
export const EXIT = { ok: 0, nonFinite: 3, interrupted: 130 } as const;
const LOG_EVERY = 10;

export interface TrainingIO {
  log: (message: string) => void;
  /** Test hook: called after every optimizer step with the step's loss. */
  onStep?: (step: number, loss: number) => void;
}

const defaultIO: TrainingIO = { log: (message) => process.stderr.write(`${message}\n`) };

/** The run reads top to bottom: set up (run, data, features, model), the epochs of steps, then the final bundle. */
export async function runTraining(cliConfig: TrainConfig, io: TrainingIO = defaultIO): Promise<number> {
  const { log } = io;
  const started = performance.now();
  const { selected, run, config } = await openTrainingRun(cliConfig, log);
  const data = await loadRunData(run, config, log);
  const { store, backbone } = await loadFeatures(run, config, data, selected.backend, log);
  const checkpoints = new CheckpointStore(run.dir, config.keep_checkpoints);
  const { model, trainer, replicas, state: initial, resumedFrom } = await buildTraining(config, backbone, data.tokenizer.vocabSize, selected.backend, run.resumed ? checkpoints : null);
  if (resumedFrom) log(`resumed from ${resumedFrom} (epoch ${initial.epoch + 1}, batch ${initial.batchInEpoch}, step ${initial.globalStep})`);
  const dataSplit = dataSplitOf(config, data);
  const metadata = { arch: model.config.arch, preset: config.preset ?? null, dataset: config.dataset, parameters: model.countParams(), backbone_weights: config.backbone_weights ?? null };
  const bundleOf = (extra: Record<string, unknown> = {}) => ({ model, tokenizer: data.tokenizer, backboneWeightsDir: config.backbone_weights, metadata: { ...metadata, ...extra }, dataSplit });
  const writeCheckpoint = (dir: string) => Promise.all([writeBundleFiles(join(dir, 'bundle'), bundleOf()), trainer.saveState(join(dir, 'optimizer'))]).then(() => undefined);
  const tracker = await createTracker({
    run,
    resumeFromStep: resumedFrom ? initial.globalStep : undefined,
    sinks: [createWandbSink({ project: config.wandb_project, entity: config.wandb_entity, name: undefined, config: { ...config }, warn: log })],
    warn: log,
  }).catch((error: unknown) => {
    trainer.dispose();
    model.dispose();
    throw error;
  });
  logModel(model, replicas, batchCount(data.examples.train.length, config.batch_size), log);

  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    log('interrupt: finishing the current step and saving a checkpoint…');
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const held = { examples: data.examples.val, sample: sampleOf(data.images.val, config.val_sample) };
  try {
    const { code, state } = await trainEpochs({ config, data, store, model, trainer, tracker, checkpoints, writeCheckpoint, held, io, isInterrupted: () => interrupted }, initial);
    if (code !== EXIT.ok) return code;
    const best = await checkpoints.best();
    if (best) {
      await loadModelWeights(model, join(best.dir, 'bundle', 'model'));
      log(`restored the best weights (step ${best.state.globalStep}, val loss ${best.state.best?.value.toFixed(4)})`);
    }
    const wall = (performance.now() - started) / 1000;
    await saveCaptionBundle(join(run.dir, 'bundle'), bundleOf({ best_val_loss: state.best?.value ?? null }));
    const dataFacts = {
      filtered_captions: data.filteredCaptions,
      empty_captions: data.emptyCaptions,
      skipped_images: store.skipped.map((s) => `${s.id}: ${s.reason}`),
      damaged_cache_entries: store.stats.damaged,
    };
    await writeRunReport({ run, config, wall, examplesSeen: state.examplesSeen, model, tokenizer: data.tokenizer, store, sample: held.sample, tracker, dataFacts });
    log(`done: bundle at ${join(run.dir, 'bundle')}, report at ${run.paths.report}`);
    return EXIT.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await tracker.finish();
    trainer.dispose();
    model.dispose();
  }
}

function logModel(model: CaptionModel, replicas: number, stepsPerEpoch: number, log: (message: string) => void): void {
  const counts = model.parameterCounts();
  const n = (value: number) => value.toLocaleString('en-US');
  log(
    `model: --arch ${model.config.arch}, ${n(model.countParams())} parameters (encoder ${n(counts.encoder)}, decoder ${n(counts.decoder)}); ` +
      `${stepsPerEpoch} steps per epoch; ${replicas} gradient replica${replicas > 1 ? 's in parallel threads' : ''}`,
  );
}

interface LoopContext {
  config: TrainConfig;
  data: PreparedData;
  store: FeatureStore;
  model: CaptionModel;
  trainer: CaptionTrainer | DataParallelTrainer;
  tracker: Tracker;
  checkpoints: CheckpointStore;
  writeCheckpoint: (dir: string) => Promise<void>;
  held: { examples: PreparedData['examples']['val']; sample: ImageRecord[] };
  io: TrainingIO;
  isInterrupted: () => boolean;
}

async function trainEpochs(ctx: LoopContext, initial: LoopState): Promise<{ code: number; state: LoopState }> {
  const { config, data, store, trainer, tracker, checkpoints, io } = ctx;
  const state = { ...initial };
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
      trainer.learningRate = getLr(state.globalStep, config.lr, config.warmup_steps);
      const t0 = performance.now();
      const m = await trainer.step(batch);
      const seconds = (performance.now() - t0) / 1000;
      if (!Number.isFinite(m.loss)) {
        progress.stop();
        io.log(`error: the loss became ${m.loss} at step ${state.globalStep + 1} (epoch ${state.epoch + 1}); stopping. ` +
          `The last good checkpoints in ${checkpoints.dir} are untouched; lower --lr or raise --warmup_steps and --resume.`);
        return { code: EXIT.nonFinite, state };
      }
      state.globalStep++;
      state.batchInEpoch++;
      state.examplesSeen += batch.batchSize;
      state.trainSeconds += seconds;
      const report = { step: state.globalStep, loss: m.loss, accuracy: m.accuracy, examplesPerSecond: batch.batchSize / seconds };
      progress.update(state.batchInEpoch, report);
      io.onStep?.(state.globalStep, m.loss);
      if (state.globalStep % LOG_EVERY === 0 || state.batchInEpoch === batches) {
        tracker.log(state.globalStep, { loss: m.loss, accuracy: m.accuracy, lr: getLr(state.globalStep - 1, config.lr, config.warmup_steps), examples_per_s: report.examplesPerSecond }, { epoch: state.epoch, split: 'train' });
      }
      const periodic = config.checkpoint_every > 0 && state.globalStep % config.checkpoint_every === 0;
      if (periodic || ctx.isInterrupted()) await checkpoints.save(state, ctx.writeCheckpoint);
      if (ctx.isInterrupted()) {
        progress.stop();
        io.log(`interrupted at step ${state.globalStep}; checkpoint saved. Continue with the same command plus --resume.`);
        return { code: EXIT.interrupted, state };
      }
    }
    progress.stop();
    const stop = await endOfEpoch(ctx, state);
    if (stop) break;
  }
  return { code: EXIT.ok, state };
}

/** Validates, saves the epoch's checkpoint (and the best), and says whether early stopping triggers. */
async function endOfEpoch(ctx: LoopContext, state: LoopState): Promise<boolean> {
  const { config, trainer, model, data, store, tracker, checkpoints, io } = ctx;
  const v = await validate(trainer, model, data.tokenizer, ctx.held, store, config.batch_size);
  tracker.log(state.globalStep, { loss: v.loss, accuracy: v.accuracy, bleu4: v.bleu4, cider: v.cider }, { epoch: state.epoch, split: 'val' });
  io.log(`epoch ${state.epoch + 1}/${config.epochs}: val loss ${v.loss.toFixed(4)} acc ${v.accuracy.toFixed(3)} BLEU-4 ${v.bleu4.toFixed(3)} CIDEr-D ${v.cider.toFixed(3)}` +
    (v.samples[0] ? ` | ${v.samples[0].id}: "${v.samples[0].caption}"` : ''));
  const improved = Number.isFinite(v.loss) && (state.best === null || v.loss < state.best.value);
  if (improved) {
    state.best = { value: v.loss, step: state.globalStep, epoch: state.epoch };
    state.epochsWithoutImprovement = 0;
  } else {
    state.epochsWithoutImprovement++;
  }
  const next = { ...state, epoch: state.epoch + 1, batchInEpoch: 0 };
  await checkpoints.save(next, ctx.writeCheckpoint, { best: improved });
  if (config.patience > 0 && state.epochsWithoutImprovement >= config.patience) {
    io.log(`early stopping: no validation improvement for ${config.patience} epochs (best: epoch ${state.best!.epoch + 1}).`);
    return true;
  }
  return false;
}
