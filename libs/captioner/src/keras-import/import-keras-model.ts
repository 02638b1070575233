// Turns the Keras project's trained model — its `save_weights` .h5, its `trial_config.json` and its
// `tokenizer.keras` — into an imgcap caption bundle of the seed architecture, without Python.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
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

const TRIAL_FIELDS = ['SEQ_LENGTH', 'VOCAB_SIZE', 'EMBED_DIM', 'FF_DIM', 'ENC_HEADS', 'DEC_HEADS'] as const;

export async function readTrialConfig(path: string): Promise<SeedTrialConfig> {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${path}: not a readable trial_config.json: ${(error as Error).message}`);
  }
  for (const field of TRIAL_FIELDS) {
    if (!Number.isInteger(json[field]) || (json[field] as number) < 1)
      throw new Error(`${path}: ${field} must be a positive integer, got ${JSON.stringify(json[field])}`);
  }
  const size = json['IMAGE_SIZE'];
  if (!Array.isArray(size) || size.length !== 2 || size[0] !== size[1] || !Number.isInteger(size[0])) {
    throw new Error(`${path}: IMAGE_SIZE must be a square [n, n], got ${JSON.stringify(size)}`);
  }
  return json as unknown as SeedTrialConfig;
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
      arch: 'seed',
      vocabSize: trial.VOCAB_SIZE,
      seqLength: trial.SEQ_LENGTH,
      embedDim: trial.EMBED_DIM,
      ffDim: trial.FF_DIM,
      encHeads: trial.ENC_HEADS,
      decHeads: trial.DEC_HEADS,
      dropout: 0,
      backbone: backboneId({ kind: 'efficientnet', variant, imageSize, weightsDir: backboneFile }),
      imageSize,
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
