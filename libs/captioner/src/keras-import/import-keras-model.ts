// Turns the Keras project's trained model — its `save_weights` .h5, its `trial_config.json` and its
// `tokenizer.keras` — into an imgcap caption bundle of the seed architecture, without Python.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadKerasTokenizer, type KerasTextVectorizer } from '@imgcap/tokenizer';
import {
  assignBackboneWeights,
  backboneId,
  buildEfficientNet,
  EFFICIENTNET_VARIANTS,
  efficientNetPlan,
  readKerasWeightsFile,
  saveKerasWeightsFile,
  storedTensor,
  type EfficientNetVariant,
  type KerasLayerWeights,
  type StoredVariable,
} from '@imgcap/vision-backbone';
import { saveCaptionBundle } from '../bundle/bundle.js';
import type { CaptionModelConfig } from '../config.js';
import { CaptionModel } from '../model/caption-model.js';
import { countModelParameters } from '../model/parameter-count.js';
import { classifyGroups, mapSeedCaptionWeights } from './seed-weight-map.js';

/** The fields of the Keras project's `trial_config.json` the model depends on. */
export interface SeedTrialConfig {
  IMAGE_SIZE: [number, number];
  SEQ_LENGTH: number;
  VOCAB_SIZE: number;
  EMBED_DIM: number;
  FF_DIM: number;
  ENC_HEADS: number;
  DEC_HEADS: number;
}

export interface KerasImportSources {
  /** `model.save_weights("….h5")` of the Keras project's captioning model. */
  weights: string;
  /** Its `trial_config.json`. */
  config: string;
  /** Its `tokenizer.keras`. */
  tokenizer: string;
}

/**
 * The ranges a seed model can be built in, checked before anything is allocated: a config from elsewhere (or a
 * hostile one) with EMBED_DIM 1e9 must be a message naming the field, not a failed 5 TB allocation.
 */
const TRIAL_RANGES = {
  SEQ_LENGTH: [2, 1024],
  VOCAB_SIZE: [3, 1_000_000],
  EMBED_DIM: [1, 8192],
  FF_DIM: [1, 65_536],
  ENC_HEADS: [1, 128],
  DEC_HEADS: [1, 128],
} as const;
/** EfficientNet's input side: B7's 600 px and more, down to the 32 px one stride-32 grid cell needs. */
const IMAGE_SIZE_RANGE = [32, 2048] as const;
/** Parameters an imported model may have (4 GB of float32): the ranges above still allow absurd products. */
const MAX_PARAMETERS = 1e9;
const MAX_CONFIG_BYTES = 1024 * 1024;

export async function readTrialConfig(path: string): Promise<SeedTrialConfig> {
  let json: Record<string, unknown>;
  try {
    if ((await stat(path)).size > MAX_CONFIG_BYTES) throw new Error(`larger than ${MAX_CONFIG_BYTES} bytes`);
    json = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${path}: not a readable trial_config.json: ${(error as Error).message}`);
  }
  for (const [field, [min, max]] of Object.entries(TRIAL_RANGES)) {
    const value = json[field];
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max)
      throw new Error(`${path}: ${field} must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  const size = json['IMAGE_SIZE'];
  const [min, max] = IMAGE_SIZE_RANGE;
  if (
    !Array.isArray(size) ||
    size.length !== 2 ||
    size[0] !== size[1] ||
    !Number.isInteger(size[0]) ||
    size[0] < min ||
    size[0] > max
  ) {
    throw new Error(
      `${path}: IMAGE_SIZE must be a square [n, n] with n an integer in [${min}, ${max}], got ${JSON.stringify(size)}`,
    );
  }
  const trial = json as unknown as SeedTrialConfig;
  const grid = Math.ceil(trial.IMAGE_SIZE[0] / 32);
  const widest = efficientNetPlan('b7').topFilters;
  const counts = countModelParameters({ ...trialModelShape(trial), featureShape: [grid * grid, widest] });
  if (counts.encoder + counts.decoder > MAX_PARAMETERS) {
    throw new Error(
      `${path}: EMBED_DIM ${trial.EMBED_DIM}, FF_DIM ${trial.FF_DIM}, heads ${trial.ENC_HEADS}/${trial.DEC_HEADS} and VOCAB_SIZE ${trial.VOCAB_SIZE} make a model of ${(counts.encoder + counts.decoder).toExponential(2)} parameters, more than ${MAX_PARAMETERS.toExponential(0)}`,
    );
  }
  return trial;
}

/** The seed-architecture config fields a trial_config.json sets (the backbone's come from the weights). */
function trialModelShape(trial: SeedTrialConfig) {
  return {
    arch: 'seed' as const,
    vocabSize: trial.VOCAB_SIZE,
    seqLength: trial.SEQ_LENGTH,
    embedDim: trial.EMBED_DIM,
    ffDim: trial.FF_DIM,
    encHeads: trial.ENC_HEADS,
    decHeads: trial.DEC_HEADS,
    dropout: 0,
    backbone: 'efficientnet-b0@224',
    imageSize: trial.IMAGE_SIZE[0],
  };
}

/** The EfficientNet variant whose plan the CNN group's layers follow (stem width, blocks, top width). */
function variantOf(cnn: readonly StoredVariable[]): EfficientNetVariant {
  const layerOf = (v: StoredVariable) => (v.fullName ?? '').replace(/:\d+$/, '').split('/').slice(-2)[0]!;
  const blocks = new Set(
    cnn
      .map(layerOf)
      .filter((l) => /^block\d+[a-z]_/.test(l))
      .map((l) => l.split('_')[0]),
  );
  const width = (layer: string) => cnn.find((v) => layerOf(v) === layer && v.name === 'kernel')?.shape[3];
  for (const variant of EFFICIENTNET_VARIANTS) {
    const plan = efficientNetPlan(variant);
    if (
      plan.blocks.length === blocks.size &&
      plan.stemFilters === width('stem_conv') &&
      plan.topFilters === width('top_conv')
    )
      return variant;
  }
  throw new Error(
    `the CNN's layers (${blocks.size} blocks, stem ${width('stem_conv')} and top ${width('top_conv')} filters) match no EfficientNet B0–B7`,
  );
}

/** The CNN's weights keyed `layer/weight`, as `assignBackboneWeights` takes them. */
function backboneTensors(cnn: readonly StoredVariable[]): tf.NamedTensorMap {
  const map: tf.NamedTensorMap = {};
  for (const v of cnn) map[(v.fullName ?? '').replace(/:\d+$/, '').split('/').slice(-2).join('/')] = storedTensor(v);
  return map;
}

/** Writes the CNN as an EfficientNet .h5 under `dir` (checked layer by layer against the variant built here). */
async function writeBackbone(
  cnn: readonly StoredVariable[],
  variant: EfficientNetVariant,
  imageSize: number,
  dir: string,
): Promise<string> {
  const network = buildEfficientNet(variant, { inputShape: [imageSize, imageSize, 3] });
  const tensors = backboneTensors(cnn);
  try {
    assignBackboneWeights(network, tensors, 'the CNN group');
    const file = join(dir, `efficientnet${variant}_notop.h5`);
    await saveKerasWeightsFile(network, file, { layout: 'keras2' });
    return file;
  } finally {
    tf.dispose(Object.values(tensors));
    network.dispose();
  }
}

/** Sets every caption-model weight from the mapped tensors, all shapes checked before the first write. */
function assignCaptionWeights(model: CaptionModel, mapped: Map<string, StoredVariable>, source: string): void {
  const unused = new Set(mapped.keys());
  const values = model.network.weights.map((w) => {
    const stored = mapped.get(w.originalName);
    if (!stored)
      throw new Error(`${source}: no tensor maps to the seed model's ${w.originalName} [${w.shape.join(', ')}]`);
    if (stored.shape.join() !== w.shape.join()) {
      throw new Error(
        `${source}: ${stored.fullName} [${stored.shape.join(', ')}] maps to ${w.originalName}, which is [${w.shape.join(', ')}]`,
      );
    }
    unused.delete(w.originalName);
    return storedTensor(stored);
  });
  try {
    if (unused.size > 0)
      throw new Error(
        `${source}: tensors left unmapped: ${[...unused].map((n) => mapped.get(n)!.fullName).join(', ')}`,
      );
    model.network.setWeights(values);
  } finally {
    tf.dispose(values);
  }
}

/**
 * Imports the Keras project's trained captioning model as a caption bundle (`arch: 'seed'`) in `out`: the encoder
 * and decoder weights mapped by structure and shape, the CNN written as an EfficientNet `.h5` in the bundle, the
 * tokenizer as a `KerasTextVectorizer`. Every tensor must map and every shape match, or nothing is written.
 */
export async function importKerasCaptioner(
  sources: KerasImportSources,
  out: string,
): Promise<{ config: CaptionModelConfig; tokenizer: KerasTextVectorizer }> {
  const trial = await readTrialConfig(sources.config);
  const tokenizer = await loadKerasTokenizer(sources.tokenizer);
  if (tokenizer.vocabSize !== trial.VOCAB_SIZE) {
    throw new Error(
      `${sources.tokenizer} has ${tokenizer.vocabSize} ids but ${sources.config} says VOCAB_SIZE ${trial.VOCAB_SIZE}`,
    );
  }
  const layers: KerasLayerWeights = await readKerasWeightsFile(sources.weights);
  const groups = classifyGroups(layers);
  const cnn = layers.get(groups.cnn)!;
  const variant = variantOf(cnn);
  const imageSize = trial.IMAGE_SIZE[0];
  const grid = Math.ceil(imageSize / 32);
  const channels = efficientNetPlan(variant).topFilters;
  const scratch = await mkdtemp(join(tmpdir(), 'imgcap-keras-import-'));
  try {
    const backboneFile = await writeBackbone(cnn, variant, imageSize, scratch);
    const config: CaptionModelConfig = {
      ...trialModelShape(trial),
      backbone: backboneId({ kind: 'efficientnet', variant, imageSize, weightsDir: backboneFile }),
      featureShape: [grid * grid, channels],
    };
    const dims = { channels, width: trial.EMBED_DIM, ff: trial.FF_DIM, vocab: trial.VOCAB_SIZE, seq: trial.SEQ_LENGTH };
    const mapped = mapSeedCaptionWeights(layers, groups, dims);
    const model = new CaptionModel(config);
    try {
      assignCaptionWeights(model, mapped, sources.weights);
      const metadata = { arch: 'seed', imported_from: { ...sources }, keras_config: trial };
      await saveCaptionBundle(out, { model, tokenizer, backboneWeightsDir: backboneFile, metadata });
    } finally {
      model.dispose();
    }
    return { config, tokenizer };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
