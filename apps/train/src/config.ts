// The training configuration: every default in one typed block (nanoGPT style). The flag names are
// the seed's (`--seq_length`, `--embed_dim`, …) so its documented commands keep working.

export const DATASETS = ['flickr30k', 'flickr8k', 'karpathy', 'synthetic'] as const;
export type DatasetName = (typeof DATASETS)[number];

export { ARCHITECTURES, PRESET_NAMES, type Architecture, type PresetName } from '@imgcap/captioner/model';
import type { Architecture, PresetName } from '@imgcap/captioner/model';

export { BACKEND_CHOICES as BACKENDS, type BackendChoice as BackendName } from '@imgcap/tf-runtime/backend-choices';
import type { BackendChoice as BackendName } from '@imgcap/tf-runtime/backend-choices';

/** The model-shape flags a preset sets; explicit flags still win over the preset. */
export interface ModelShape {
  embed_dim: number;
  ff_dim: number;
  enc_heads: number;
  dec_heads: number;
}

export interface TrainConfig extends ModelShape {
  /** seed: the Keras project's network exactly (the default, so its commands build its model); imgcap: imgcap's own. */
  arch: Architecture;
  dataset: DatasetName;
  data_dir: string;
  split_file: string | undefined;
  preset: PresetName | undefined;
  seq_length: number;
  batch_size: number;
  epochs: number;
  lr: number;
  warmup_steps: number;
  patience: number;
  vocab_size: number;
  backbone: string;
  /** Backbone input size; default: 224 for the seed architecture (as the Keras project), else the backbone's own. */
  image_size: number | undefined;
  backbone_weights: string | undefined;
  backbone_layer: string | undefined;
  /** imgcap only; the seed architecture has the Keras project's fixed rates. */
  dropout: number;
  max_images: number | undefined;
  val_sample: number;
  seed: number;
  backend: BackendName;
  /** Model replicas computing gradients in parallel (0 = auto: autoReplicaCount in @imgcap/captioner). */
  workers: number;
  artifact_dir: string;
  resume: boolean;
  overwrite: boolean;
  keep_checkpoints: number;
  checkpoint_every: number;
  feature_cache: string | undefined;
  /** float32 as computed, or float16: half the disk, features within 2^-11 relative (docs/feature-cache.md). */
  feature_cache_dtype: CachePrecision;
  /** Where the backbone extracts features: tfjs, onnx (ONNX Runtime), or auto (see resolveFeatureEngine). */
  feature_engine: FeatureEngine;
  /** Where training's large matrix products run on wasm: onnx (ONNX Runtime's GEMM), wasm, or auto (see training-kernels). */
  train_kernels: TrainKernels;
  /** Self-critical epochs after the cross-entropy ones (apps/train/README.md, "Self-critical training"). */
  scst_epochs: number;
  /** Their learning rate; default a tenth of --lr. */
  scst_lr: number | undefined;
  /** Captions sampled per image. */
  scst_samples: number;
  /** mean: the other samples' mean reward; greedy: the greedy caption's reward. */
  scst_baseline: ScstBaseline;
  scst_temperature: number;
  /** Images per self-critical step (rows = images × samples); 0 = batch_size / scst_samples. */
  scst_images: number;
  /** Start from this bundle's (or run's) weights and vocabulary instead of a fresh model. */
  init_from: string | undefined;
  wandb_project: string | undefined;
  wandb_entity: string | undefined;
  /** The W&B run's name; default: the Keras project's `{MM-DD-HH:MM}_model_emd…` (see wandbRunName). */
  wandb_name: string | undefined;
  /** Write the Keras project's artifact files too (keras-artifacts.ts); default: on for --arch seed. */
  keras_artifacts: boolean | undefined;
  dry_run: boolean;
}

export { CACHE_PRECISIONS, type CachePrecision } from './feature-cache.js';
import type { CachePrecision } from './feature-cache.js';

export const SCST_BASELINES = ['mean', 'greedy'] as const;
export type ScstBaseline = (typeof SCST_BASELINES)[number];

export const FEATURE_ENGINES = ['auto', 'tfjs', 'onnx'] as const;
export type FeatureEngine = (typeof FEATURE_ENGINES)[number];
export const TRAIN_KERNELS = ['auto', 'onnx', 'wasm'] as const;
export type TrainKernels = (typeof TRAIN_KERNELS)[number];

export const TRAIN_DEFAULTS: TrainConfig = {
  arch: 'seed',
  dataset: 'flickr30k',
  data_dir: './data/flickr30k_images',
  split_file: undefined,
  preset: undefined,
  seq_length: 36,
  batch_size: 128,
  epochs: 20,
  embed_dim: 512,
  ff_dim: 256,
  enc_heads: 2,
  dec_heads: 4,
  lr: 0.001,
  warmup_steps: 0,
  patience: 3,
  vocab_size: 10_000,
  backbone: 'efficientnet-b1',
  image_size: undefined,
  backbone_weights: undefined,
  backbone_layer: undefined,
  dropout: 0.1,
  max_images: undefined,
  val_sample: 64,
  seed: 42,
  backend: 'auto',
  workers: 0,
  artifact_dir: './local_runs/default_run',
  resume: false,
  overwrite: false,
  keep_checkpoints: 3,
  checkpoint_every: 0,
  feature_cache: undefined,
  feature_cache_dtype: 'float32',
  feature_engine: 'auto',
  train_kernels: 'auto',
  scst_epochs: 0,
  scst_lr: undefined,
  scst_samples: 5,
  scst_baseline: 'mean',
  scst_temperature: 1,
  scst_images: 0,
  init_from: undefined,
  wandb_project: undefined,
  wandb_entity: undefined,
  wandb_name: undefined,
  keras_artifacts: undefined,
  dry_run: false,
};

/** The Keras project's TIMESTAMP: `MM-DD-HH:MM`, local time (its trial_config.json and run names). */
export function kerasTimestamp(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getMonth() + 1)}-${two(date.getDate())}-${two(date.getHours())}:${two(date.getMinutes())}`;
}

/**
 * The Keras project's W&B run name, so runs from both sit side by side in one project:
 * `{MM-DD-HH:MM}_model_emd{E}_DH{dec_heads}_EH{enc_heads}_EPS{epochs}_LR{lr}` (local time, as its TIMESTAMP).
 */
export function wandbRunName(config: TrainConfig, now = new Date()): string {
  return `${kerasTimestamp(now)}_model_emd${config.embed_dim}_DH${config.dec_heads}_EH${config.enc_heads}_EPS${config.epochs}_LR${config.lr}`;
}
