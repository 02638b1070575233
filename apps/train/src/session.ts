import { join } from 'node:path';
import { saveCaptionBundle, writeBundleFiles } from '@imgcap/captioner/bundle';
import { type CaptionModel } from '@imgcap/captioner/model';
import { type CaptionTrainer, type DataParallelTrainer } from '@imgcap/captioner/training';
import { batchCount, type ImageRecord } from '@imgcap/flickr-dataset';
import {
  abandonRun,
  createTracker,
  createWandbSink,
  wandbArtifactPutCommand,
  type RunDirectory,
  type Tracker,
} from '@imgcap/tracking';
import { backboneWeightsPath, resolveBackboneWeights } from './backbone.js';
import { CheckpointStore, type LoopState } from './checkpoints.js';
import { readInitialBundle } from './init-from.js';
import { wandbRunName, type TrainConfig } from './config.js';
import type { PreparedData } from './data.js';
import type { FeatureStore } from './features.js';
import { buildTraining, dataSplitOf, loadFeatures, loadRunData, openTrainingRun, sampleOf } from './run-setup.js';

type Log = (message: string) => void;

/** Everything a run holds between setup and the end: the loop reads it, the final bundle is written from it. */
export interface TrainingSession {
  config: TrainConfig;
  run: RunDirectory;
  data: PreparedData;
  store: FeatureStore;
  model: CaptionModel;
  trainer: CaptionTrainer | DataParallelTrainer;
  tracker: Tracker;
  checkpoints: CheckpointStore;
  /** The loop state to start from: fresh, or the resumed checkpoint's. */
  initial: LoopState;
  /** The validation examples and the images whose captions each epoch shows. */
  held: { examples: PreparedData['examples']['val']; sample: ImageRecord[] };
  /** Writes a checkpoint's bundle and optimizer state into `dir`. */
  writeCheckpoint: (dir: string) => Promise<void>;
  /** Writes the run's final bundle, with `extra` metadata. */
  saveFinalBundle: (extra: Record<string, unknown>) => Promise<void>;
  /** With W&B on: the W&B CLI command that uploads the final bundle as a model artifact of this run. */
  wandbUploadCommand: () => Promise<string | undefined>;
  /** Releases the trainer's threads, the model's tensors and the tracker's sinks. */
  close: () => Promise<void>;
}

/**
 * Set-up, top to bottom: the run directory, the data, the features, the model and trainer (resumed), the tracker. A
 * fresh run that fails here (no dataset, say) leaves its directory empty, so the identical command can be retried.
 */
export async function openSession(cliConfig: TrainConfig, log: Log): Promise<TrainingSession> {
  const { selected, run, config } = await openTrainingRun(cliConfig, log);
  try {
    return await prepareSession(run, config, selected.backend, log);
  } catch (error) {
    await abandonRun(run);
    throw error;
  }
}

async function prepareSession(
  run: RunDirectory,
  runConfig: TrainConfig,
  backend: string,
  log: Log,
): Promise<TrainingSession> {
  // `imagenet` becomes the file (found or downloaded); the run's config.json keeps `imagenet`, so a resume elsewhere
  // finds it again.
  const config = await resolveBackboneWeights(runConfig, log);
  // --init_from is read once: its vocabulary for the data, its weights for the model.
  const initialBundle = config.init_from ? await readInitialBundle(config.init_from) : undefined;
  const data = await loadRunData(run, config, log, initialBundle);
  const { store, backbone } = await loadFeatures(run, config, data, backend, log);
  const checkpoints = new CheckpointStore(run.dir, config.keep_checkpoints);
  const resumeFrom = run.resumed ? checkpoints : null;
  const shape = { backbone, vocabSize: data.tokenizer.vocabSize };
  const training = await buildTraining(
    config,
    shape,
    backend,
    { checkpoints: resumeFrom, initial: initialBundle },
    log,
  );
  const { model, trainer, replicas, state: initial, resumedFrom } = training;
  if (resumedFrom) {
    const at = `epoch ${initial.epoch + 1}, batch ${initial.batchInEpoch}, step ${initial.globalStep}`;
    log(`resumed from ${resumedFrom} (${at})`);
  }
  const { tracker, wandbUploadCommand } = await openTracker(
    run,
    config,
    resumedFrom ? initial.globalStep : undefined,
    log,
  ).catch((error: unknown) => {
    trainer.dispose();
    model.dispose();
    throw error;
  });
  logModel(model, replicas, batchCount(data.examples.train.length, config.batch_size), log);
  const bundleOf = bundleWriter(config, data, model);
  return {
    ...{ config, run, data, store, model, trainer, tracker, checkpoints, initial },
    held: { examples: data.examples.val, sample: sampleOf(data.images.val, config.val_sample) },
    writeCheckpoint: async (dir) => {
      await Promise.all([writeBundleFiles(join(dir, 'bundle'), bundleOf()), trainer.saveState(join(dir, 'optimizer'))]);
    },
    saveFinalBundle: (extra) => saveCaptionBundle(join(run.dir, 'bundle'), bundleOf(extra)),
    wandbUploadCommand,
    close: async () => {
      await tracker.finish();
      trainer.dispose();
      model.dispose();
    },
  };
}

async function openTracker(run: RunDirectory, config: TrainConfig, resumeFromStep: number | undefined, log: Log) {
  const name = config.wandb_name ?? wandbRunName(config);
  const wandb = createWandbSink({
    project: config.wandb_project,
    entity: config.wandb_entity,
    name,
    config: { ...config },
    warn: log,
  });
  const tracker = await createTracker({ run, resumeFromStep, sinks: [wandb], warn: log });
  const project = config.wandb_project;
  // Without an API key the sink is off, but the user asked for W&B: the command (without a run id) still uploads
  // the bundle once they have logged in.
  const wandbUploadCommand = async () => {
    if (!project) return undefined;
    const identity = await wandb?.runIdentity();
    return wandbArtifactPutCommand({
      dir: join(run.dir, 'bundle'),
      project: identity?.project ?? project,
      ...((identity?.entity ?? config.wandb_entity) ? { entity: identity?.entity ?? config.wandb_entity } : {}),
      name,
      ...(identity ? { runId: identity.id } : {}),
    });
  };
  return { tracker, wandbUploadCommand };
}

/** What every bundle of this run carries: the model, its tokenizer, the data split and the run's facts. */
function bundleWriter(config: TrainConfig, data: PreparedData, model: CaptionModel) {
  const dataSplit = dataSplitOf(config, data);
  const metadata = {
    arch: model.config.arch,
    preset: config.preset ?? null,
    dataset: config.dataset,
    parameters: model.countParams(),
    backbone_weights: backboneWeightsPath(config) ?? null,
  };
  return (extra: Record<string, unknown> = {}) => ({
    model,
    tokenizer: data.tokenizer,
    backboneWeightsDir: backboneWeightsPath(config),
    metadata: { ...metadata, ...extra },
    dataSplit,
  });
}

function logModel(model: CaptionModel, replicas: number, stepsPerEpoch: number, log: Log): void {
  const counts = model.parameterCounts();
  const n = (value: number) => value.toLocaleString('en-US');
  log(
    `model: --arch ${model.config.arch}, ${n(model.countParams())} parameters (encoder ${n(counts.encoder)}, decoder ${n(counts.decoder)}); ` +
      `${stepsPerEpoch} steps per epoch; ${replicas} gradient replica${replicas > 1 ? 's in parallel threads' : ''}`,
  );
}
