// Everything a training run sets up before its first step, one function per stage: the run directory and its
// config, the data and its vocabulary, the backbone features, and the model with its trainer (resumed or fresh).
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModelWeights, type DataSplitRecord } from '@imgcap/captioner/bundle';
import { CaptionModel } from '@imgcap/captioner/model';
import { autoReplicaCount, CaptionTrainer, DataParallelTrainer } from '@imgcap/captioner/training';
import type { ImageRecord } from '@imgcap/flickr-dataset';
import { selectBackend, type BackendChoice, type SelectedBackend } from '@imgcap/tf-runtime';
import { tokenizerFromJSON } from '@imgcap/tokenizer';
import { openRun, type RunDirectory } from '@imgcap/tracking';
import { fileMd5 } from '@imgcap/vision-backbone';
import { backboneSpecOf, defaultBackboneWeights } from './backbone.js';
import { CheckpointStore, type LoopState } from './checkpoints.js';
import type { TrainConfig } from './config.js';
import { prepareData, type PreparedData } from './data.js';
import { openFeatureSource, resolveFeatureEngine } from './feature-engine.js';
import { buildFeatureStore, type FeatureStore } from './features.js';
import { checkInitialShape, type InitialBundle } from './init-from.js';
import { modelConfigOf } from './model-config.js';
import { resolveResumedConfig } from './resume.js';
import { enableTrainingKernels } from './training-kernels.js';

type Log = (message: string) => void;

/** The backend, the run directory, and the config in force (a resumed run's own, with adjustable flags applied). */
export async function openTrainingRun(
  cliConfig: TrainConfig,
  log: Log,
): Promise<{ selected: SelectedBackend; run: RunDirectory; config: TrainConfig }> {
  // The flag's default 'auto' must not hide env IMGCAP_BACKEND: only an explicit choice overrides it.
  const selected = await selectBackend({ backend: cliConfig.backend === 'auto' ? undefined : cliConfig.backend, log });
  // A fresh run records what its backbone weights are (`imagenet`, `none` or a path), so a resume never guesses.
  const fresh = { ...cliConfig, backbone_weights: defaultBackboneWeights(cliConfig) };
  const run = await openRun({
    dir: cliConfig.artifact_dir,
    config: fresh,
    resume: cliConfig.resume,
    overwrite: cliConfig.overwrite,
  });
  const config = run.resumed ? resolveResumedConfig(run.config as unknown as TrainConfig, cliConfig) : fresh;
  return { selected, run, config };
}

/**
 * The dataset, split and filtered, with the vocabulary fitted once and kept in the run (a resume reuses it). A run
 * starting from `initial` (--init_from) takes its vocabulary, which its weights were trained with.
 */
export async function loadRunData(
  run: RunDirectory,
  config: TrainConfig,
  log: Log,
  initial?: InitialBundle,
): Promise<PreparedData> {
  const tokenizerFile = join(run.dir, 'tokenizer.json');
  const savedTokenizer = run.resumed
    ? tokenizerFromJSON(JSON.parse(await readFile(tokenizerFile, 'utf8')))
    : initial?.tokenizer;
  const data = await prepareData(config, savedTokenizer);
  if (!run.resumed) await writeFile(tokenizerFile, JSON.stringify(data.tokenizer.toJSON()));
  log(
    `data: ${data.report.images} images, ${data.examples.train.length} training captions, vocabulary ${data.tokenizer.vocabSize}, ` +
      `${data.filteredCaptions} captions longer than --seq_length and ${data.emptyCaptions} with no word dropped`,
  );
  return data;
}

/** The first 12 hex digits of the weights file's MD5 (for a converter directory, of its model.json). */
async function weightsFingerprint(weights: string): Promise<string> {
  const file = (await stat(weights)).isDirectory() ? join(weights, 'model.json') : weights;
  return (await fileMd5(file)).slice(0, 12);
}

/** The frozen backbone's features of every image (from the cache when they are there); unreadable images dropped. */
export async function loadFeatures(
  run: RunDirectory,
  config: TrainConfig,
  data: PreparedData,
  backend: string,
  log: Log,
) {
  const spec = backboneSpecOf(config);
  if (spec.kind === 'efficientnet' && !spec.weightsDir) {
    log(
      'warning: --backbone_weights none: EfficientNet keeps its seeded random initialisation; its features carry little meaning (see docs).',
    );
  }
  // A run saved before the flag existed has none: auto.
  const featureEngine = resolveFeatureEngine(config.feature_engine ?? 'auto', spec, backend);
  const { source: extractor, close } = await openFeatureSource(featureEngine, spec);
  const cacheDir = config.feature_cache ?? join(run.dir, '..', '.feature-cache');
  const store = await buildFeatureStore(data.dataset.images, extractor, cacheDir, log, {
    precision: config.feature_cache_dtype ?? 'float32',
    weightsTag: spec.kind === 'efficientnet' && spec.weightsDir ? await weightsFingerprint(spec.weightsDir) : undefined,
    reopen: () => openFeatureSource(featureEngine, spec),
  }).finally(close);
  const { stats } = store;
  log(
    `features: ${extractor.id} ${extractor.featureShape.join('×')} on ${featureEngine}, ${stats.extracted} extracted, ${stats.cached} from cache, ` +
      `${stats.damaged} damaged cache entries redone, ${store.skipped.length} unreadable or missing images skipped (${stats.seconds.toFixed(1)} s)`,
  );
  dropSkipped(data, store);
  return {
    store,
    backbone: { id: extractor.id, imageSize: extractor.imageSize, featureShape: extractor.featureShape },
  };
}

export interface Training {
  model: CaptionModel;
  trainer: CaptionTrainer | DataParallelTrainer;
  replicas: number;
  state: LoopState;
  /** The checkpoint resumed from, if any. */
  resumedFrom: string | null;
}

/**
 * The model (seeded) and its trainer, at the newest whole checkpoint when resuming, else with `initial`'s weights
 * (--init_from) when given. On any failure the trainer is disposed before the error leaves: gradient workers are
 * threads that would keep the process alive.
 */
export async function buildTraining(
  config: TrainConfig,
  shape: { backbone: Parameters<typeof modelConfigOf>[2]; vocabSize: number },
  backend: string,
  from: { checkpoints: CheckpointStore | null; initial?: InitialBundle },
  log: Log,
): Promise<Training> {
  const { checkpoints, initial } = from;
  // --workers 0 is auto: DataParallelTrainer's own rule for this backend and machine.
  const replicas = config.workers > 0 ? config.workers : autoReplicaCount(backend);
  if (replicas > 1 && backend === 'webgpu')
    throw new Error(
      `--workers ${replicas}: on WebGPU the GPU is the parallelism; use --workers 1 (or leave it 0, auto)`,
    );
  const workerSetup = await enableTrainingKernels(config.train_kernels ?? 'auto', backend, replicas, log);
  const model = new CaptionModel(modelConfigOf(config, shape.vocabSize, shape.backbone), { seed: config.seed });
  const trainer =
    replicas > 1
      ? await DataParallelTrainer.create(model, config.lr, { replicas, backend: backend as BackendChoice, workerSetup })
      : new CaptionTrainer(model, config.lr);
  let latest: Awaited<ReturnType<CheckpointStore['latest']>> = null;
  try {
    latest = checkpoints ? await checkpoints.latest() : null;
    if (latest) {
      await loadModelWeights(model, join(latest.dir, 'bundle', 'model'));
      await trainer.loadState(join(latest.dir, 'optimizer'));
    } else if (initial) {
      await initialWeights(model, initial, log);
    }
  } catch (error) {
    trainer.dispose();
    model.dispose();
    if (!latest && initial) throw error;
    throw new Error(
      `checkpoint ${latest?.dir ?? `in ${checkpoints?.dir}`} could not be loaded: ${(error as Error).message}`,
    );
  }
  return { model, trainer, replicas, state: latest?.state ?? freshState(), resumedFrom: latest?.dir ?? null };
}

/** --init_from: the bundle's weights, into a model of the same shape. */
async function initialWeights(model: CaptionModel, bundle: InitialBundle, log: Log): Promise<void> {
  checkInitialShape(bundle, model.config);
  await loadModelWeights(model, bundle.weightsDir);
  log(`initial weights from ${bundle.dir}`);
}

function freshState(): LoopState {
  return {
    epoch: 0,
    batchInEpoch: 0,
    globalStep: 0,
    examplesSeen: 0,
    best: null,
    epochsWithoutImprovement: 0,
    trainSeconds: 0,
  };
}

/** Which images this run trains on and holds out, as its bundles record it for eval. */
export function dataSplitOf(config: TrainConfig, data: PreparedData): DataSplitRecord {
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
export function sampleOf(images: ImageRecord[], n: number): ImageRecord[] {
  return [...images].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, n);
}
