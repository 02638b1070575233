// `--keras_artifacts`: what the Keras project's training script left in its artifact directory, written for a run
// of the seed architecture so that project's Python code loads a model trained here: trial_config.json,
// tokenizer.keras, <RUN_NAME>.h5 (its model.load_weights layout) and train_history.csv (Keras's CSVLogger columns).
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { saveSeedKerasWeights, type SeedTrialConfig } from '@imgcap/captioner/keras';
import { readMetrics, type RunDirectory } from '@imgcap/tracking';
import { KerasTextVectorizer, saveKerasTokenizer } from '@imgcap/tokenizer';
import { buildEfficientNet, loadBackboneWeights, type EfficientNetVariant } from '@imgcap/vision-backbone';
import type { CaptionModel } from '@imgcap/captioner/model';
import { backboneWeightsPath } from './backbone.js';
import { kerasTimestamp, wandbRunName, type TrainConfig } from './config.js';

/** The seed's STRIP_CHARS, recorded in every trial_config.json it wrote. */
const SEED_STRIP_CHARS = '!"#$%&\'()*+,-./:;=?@[\\]^_`{|}~';

export interface KerasArtifactInputs {
  run: RunDirectory;
  /** The run's config with its backbone weights resolved to a file (or none). */
  config: TrainConfig;
  model: CaptionModel;
  tokenizer: unknown;
  /** Validation images over all images, as the seed's VAL_FRACTION. */
  valFraction: number;
}

/** The files written, by name. */
export type KerasArtifacts = Record<'trial_config' | 'tokenizer' | 'weights' | 'history', string>;

/** When the run started: its config.json is written once, atomically, at the start of a fresh run. */
async function runStarted(run: RunDirectory): Promise<Date> {
  return (await stat(run.paths.config)).mtime;
}

/** trial_config.json with the seed's keys, values from this run. */
function trialConfig(inputs: KerasArtifactInputs, started: Date) {
  const { config, model } = inputs;
  const size = model.config.imageSize;
  return {
    TIMESTAMP: kerasTimestamp(started),
    DATA_PATH: config.data_dir,
    IMAGES_PATH: config.data_dir,
    IMAGE_SIZE: [size, size] as [number, number],
    VAL_FRACTION: Number(inputs.valFraction.toFixed(4)),
    SEQ_LENGTH: model.config.seqLength,
    VOCAB_SIZE: model.config.vocabSize,
    BATCH_SIZE: config.batch_size,
    STRIP_CHARS: SEED_STRIP_CHARS,
    EPOCHS: config.epochs,
    EMBED_DIM: model.config.embedDim,
    FF_DIM: model.config.ffDim,
    ENC_HEADS: model.config.encHeads,
    DEC_HEADS: model.config.decHeads,
    ARTIFACT_DIR: config.artifact_dir,
    LR: config.lr,
  } satisfies SeedTrialConfig & Record<string, unknown>;
}

/**
 * train_history.csv as Keras's CSVLogger writes it: `epoch` then the logged keys sorted (acc, loss, val_acc,
 * val_loss), one row per cross-entropy epoch, from the run's metrics.jsonl (so a resumed run's rows are all there).
 */
async function trainHistory(run: RunDirectory): Promise<string> {
  const { records } = await readMetrics(run.paths.metrics);
  const keys = ['acc', 'loss', 'val_acc', 'val_loss'] as const;
  const rows = new Map<number, string>();
  for (const record of records) {
    if (record.split !== undefined || !keys.every((k) => typeof record.metrics[k] === 'number')) continue;
    rows.set(record.epoch, [record.epoch, ...keys.map((k) => record.metrics[k])].join(','));
  }
  const ordered = [...rows].sort(([a], [b]) => a - b).map(([, row]) => row);
  return `${['epoch', ...keys].join(',')}\n${ordered.map((row) => `${row}\n`).join('')}`;
}

/** The CNN of the Keras project's model: this run's EfficientNet with the weights its features came from. */
async function kerasCnn(config: TrainConfig, model: CaptionModel) {
  const variant = /^efficientnet-(b[0-7])@/.exec(model.config.backbone)?.[1] as EfficientNetVariant | undefined;
  if (!variant) return null;
  const size = model.config.imageSize;
  const cnn = buildEfficientNet(variant, { inputShape: [size, size, 3] });
  const weights = backboneWeightsPath(config);
  try {
    if (weights) await loadBackboneWeights(cnn, weights);
    return cnn;
  } catch (error) {
    cnn.dispose();
    throw error;
  }
}

/** Writes the Keras project's artifacts into the run directory; says why when one cannot be written. */
export async function writeKerasArtifacts(
  inputs: KerasArtifactInputs,
  log: (line: string) => void,
): Promise<Partial<KerasArtifacts>> {
  const { run, config, model, tokenizer } = inputs;
  if (model.config.arch !== 'seed')
    throw new Error('--keras_artifacts needs --arch seed: only it is the Keras project model');
  const started = await runStarted(run);
  const runName = config.wandb_name ?? wandbRunName(config, started);
  const written: Partial<KerasArtifacts> = {};
  if (tokenizer instanceof KerasTextVectorizer) {
    written.tokenizer = join(run.dir, 'tokenizer.keras');
    await saveKerasTokenizer(tokenizer, written.tokenizer, started);
  } else {
    log(
      "keras artifacts: no tokenizer.keras: this run's vocabulary is not a Keras TextVectorization (--init_from an imgcap bundle?)",
    );
  }
  const cnn = await kerasCnn(config, model);
  if (cnn) {
    written.weights = join(run.dir, `${runName}.h5`);
    try {
      await saveSeedKerasWeights(model, cnn, written.weights);
    } finally {
      cnn.dispose();
    }
  } else {
    log(
      `keras artifacts: no ${runName}.h5: the Keras project's model has an EfficientNet CNN, --backbone ${config.backbone} is none`,
    );
  }
  written.trial_config = join(run.dir, 'trial_config.json');
  await writeFile(written.trial_config, `${JSON.stringify(trialConfig(inputs, started), null, 4)}\n`);
  written.history = join(run.dir, 'train_history.csv');
  await writeFile(written.history, await trainHistory(run));
  return written;
}
