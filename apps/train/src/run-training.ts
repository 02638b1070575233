import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { CaptionModel, CaptionTrainer, DataParallelTrainer, loadModelWeights, saveCaptionBundle, writeBundleFiles, type DataSplitRecord } from '@imgcap/captioner';
import { createBatches, batchCount, type ImageRecord } from '@imgcap/flickr-dataset';
import { selectBackend, type BackendChoice } from '@imgcap/tf-runtime';
import { tokenizerFromJSON } from '@imgcap/tokenizer';
import { createTracker, createWandbSink, openRun, type Tracker } from '@imgcap/tracking';
import { backboneSpecOf } from './backbone.js';
import { CheckpointStore, type LoopState } from './checkpoints.js';
import type { TrainConfig } from './config.js';
import { prepareData, type PreparedData } from './data.js';
import { openFeatureSource, resolveFeatureEngine } from './feature-engine.js';
import { buildFeatureStore, type FeatureStore } from './features.js';
import { prefetch } from './prefetch.js';
import { createEpochProgress } from './progress.js';
import { writeRunReport } from './report.js';
import { resolveResumedConfig } from './resume.js';
import { modelConfigOf } from './model-config.js';
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

/** The loop reads top to bottom: data → features → model → (resume) → epochs of steps → validate → checkpoint. */
export async function runTraining(cliConfig: TrainConfig, io: TrainingIO = defaultIO): Promise<number> {
  const { log } = io;
  const started = performance.now();
  // The flag's default 'auto' must not hide env IMGCAP_BACKEND: only an explicit choice overrides it.
  const selected = await selectBackend({ backend: cliConfig.backend === 'auto' ? undefined : cliConfig.backend, log });
  const run = await openRun({ dir: cliConfig.artifact_dir, config: { ...cliConfig }, resume: cliConfig.resume, overwrite: cliConfig.overwrite });
  const config = run.resumed ? resolveResumedConfig(run.config as unknown as TrainConfig, cliConfig) : cliConfig;
  const tokenizerFile = join(run.dir, 'tokenizer.json');
  const savedTokenizer = run.resumed ? tokenizerFromJSON(JSON.parse(await readFile(tokenizerFile, 'utf8'))) : undefined;
  const data = await prepareData(config, savedTokenizer);
  if (!savedTokenizer) await writeFile(tokenizerFile, JSON.stringify(data.tokenizer.toJSON()));
  log(`data: ${data.report.images} images, ${data.examples.train.length} training captions, vocabulary ${data.tokenizer.vocabSize}, ${data.filteredCaptions} captions longer than --seq_length and ${data.emptyCaptions} with no word dropped`);

  const spec = backboneSpecOf(config);
  if (spec.kind === 'efficientnet' && !spec.weightsDir) {
    log('warning: EfficientNet without --backbone_weights keeps its seeded random initialisation; its features carry little meaning (see docs).');
  }
  // A run saved before the flag existed has none: auto.
  const featureEngine = resolveFeatureEngine(config.feature_engine ?? 'auto', spec, selected.backend);
  const { source: extractor, close: closeExtractor } = await openFeatureSource(featureEngine, spec);
  const cacheDir = config.feature_cache ?? join(run.dir, '..', '.feature-cache');
  const store = await buildFeatureStore(data.dataset.images, extractor, cacheDir, log).finally(closeExtractor);
  log(`features: ${extractor.id} ${extractor.featureShape.join('×')} on ${featureEngine}, ${store.stats.extracted} extracted, ${store.stats.cached} from cache, ${store.stats.damaged} damaged cache entries redone, ${store.skipped.length} unreadable or missing images skipped (${store.stats.seconds.toFixed(1)} s)`);
  dropSkipped(data, store);

  const model = new CaptionModel(modelConfigOf(config, data.tokenizer.vocabSize, extractor), { seed: config.seed });
  const replicas = resolveReplicas(config.workers, selected.backend);
  const trainer =
    replicas > 1
      ? await DataParallelTrainer.create(model, config.lr, { replicas, backend: selected.backend as BackendChoice })
      : new CaptionTrainer(model, config.lr);
  const checkpoints = new CheckpointStore(run.dir, config.keep_checkpoints);
  let state = freshState();
  let latest: Awaited<ReturnType<CheckpointStore['latest']>> = null;
  try {
    latest = run.resumed ? await checkpoints.latest() : null;
    if (latest) {
      await loadModelWeights(model, join(latest.dir, 'bundle', 'model'));
      await trainer.loadState(join(latest.dir, 'optimizer'));
    }
  } catch (error) {
    // Gradient workers are threads that keep the process alive: end them, or a failed resume never exits.
    trainer.dispose();
    model.dispose();
    throw new Error(`checkpoint ${latest?.dir ?? `in ${checkpoints.dir}`} could not be loaded: ${(error as Error).message}`);
  }
  if (latest) {
    state = latest.state;
    log(`resumed from ${latest.dir} (epoch ${state.epoch + 1}, batch ${state.batchInEpoch}, step ${state.globalStep})`);
  }
  const dataSplit = dataSplitOf(config, data);
  const metadata = {
    arch: model.config.arch,
    preset: config.preset ?? null,
    dataset: config.dataset,
    parameters: model.countParams(),
    backbone_weights: config.backbone_weights ?? null,
  };
  const writeCheckpoint = (dir: string) =>
    Promise.all([
      writeBundleFiles(join(dir, 'bundle'), { model, tokenizer: data.tokenizer, backboneWeightsDir: config.backbone_weights, metadata, dataSplit }),
      trainer.saveState(join(dir, 'optimizer')),
    ]).then(() => undefined);
  const tracker = await createTracker({
    run,
    resumeFromStep: latest ? state.globalStep : undefined,
    sinks: [createWandbSink({ project: config.wandb_project, entity: config.wandb_entity, name: undefined, config: { ...config }, warn: log })],
    warn: log,
  }).catch((error: unknown) => {
    trainer.dispose();
    model.dispose();
    throw error;
  });
  const counts = model.parameterCounts();
  log(`model: --arch ${model.config.arch}, ${model.countParams().toLocaleString('en-US')} parameters (encoder ${counts.encoder.toLocaleString('en-US')}, decoder ${counts.decoder.toLocaleString('en-US')}); ${batchCount(data.examples.train.length, config.batch_size)} steps per epoch; ${replicas} gradient replica${replicas > 1 ? 's in parallel threads' : ''}`);

  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    log('interrupt: finishing the current step and saving a checkpoint…');
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const held = { examples: data.examples.val, sample: sampleOf(data.images.val, config.val_sample) };
  try {
    const outcome = await trainEpochs({ config, data, store, model, trainer, tracker, checkpoints, writeCheckpoint, held, io, isInterrupted: () => interrupted }, state);
    state = outcome.state;
    if (outcome.code !== EXIT.ok) return outcome.code;
    const best = await checkpoints.best();
    if (best) {
      await loadModelWeights(model, join(best.dir, 'bundle', 'model'));
      log(`restored the best weights (step ${best.state.globalStep}, val loss ${best.state.best?.value.toFixed(4)})`);
    }
    const wall = (performance.now() - started) / 1000;
    await saveCaptionBundle(join(run.dir, 'bundle'), { model, tokenizer: data.tokenizer, backboneWeightsDir: config.backbone_weights, metadata: { ...metadata, best_val_loss: state.best?.value ?? null }, dataSplit });
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

/**
 * `--workers 0` (auto): wasm and cpu run one thread per tfjs engine, so one replica per core (at most 4:
 * each holds a model copy); tfjs-node's kernels are multi-threaded already, so one.
 */
export function resolveReplicas(workers: number, backend: string): number {
  if (workers > 0) return workers;
  return backend === 'tensorflow' ? 1 : Math.max(1, Math.min(4, availableParallelism()));
}

function freshState(): LoopState {
  return { epoch: 0, batchInEpoch: 0, globalStep: 0, examplesSeen: 0, best: null, epochsWithoutImprovement: 0, trainSeconds: 0 };
}

/** Which images this run trains on and holds out, as its bundles record it for eval. */
function dataSplitOf(config: TrainConfig, data: PreparedData): DataSplitRecord {
  const ids = (split: 'train' | 'val' | 'test') => data.images[split].map((image) => image.id).sort();
  const source = data.dataset.splitSource;
  return {
    dataset: config.dataset,
    source,
    seed: source === 'seeded' ? config.seed : null,
    splitFile: config.split_file ?? null,
    images: { train: ids('train'), val: ids('val'), test: ids('test') },
  };
}

/** Images the backbone could not read are dropped from every split (they were reported by name). */
function dropSkipped(data: PreparedData, store: FeatureStore): void {
  if (store.skipped.length === 0) return;
  const bad = new Set(store.skipped.map((s) => s.id));
  for (const split of ['train', 'val', 'test'] as const) {
    data.images[split] = data.images[split].filter((r) => !bad.has(r.id));
    data.examples[split] = data.examples[split].filter((e) => !bad.has(e.imageId));
  }
}

/** A fixed validation sample: the first N images by id, the same every epoch and every run. */
function sampleOf(images: ImageRecord[], n: number): ImageRecord[] {
  return [...images].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, n);
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
