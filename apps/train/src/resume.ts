import { TRAIN_DEFAULTS, type TrainConfig } from './config.js';

/** Settings a resumed run may change: how long to go on, and where/how it runs. */
const ADJUSTABLE: (keyof TrainConfig)[] = [
  'epochs',
  'scst_epochs',
  'patience',
  'val_sample',
  'keep_checkpoints',
  'checkpoint_every',
  'backend',
  'workers',
  'train_kernels',
  'feature_cache_dtype',
  'feature_engine',
  'wandb_project',
  'wandb_entity',
  'wandb_name',
  'resume',
  'overwrite',
  'dry_run',
  'keras_artifacts',
  'artifact_dir',
];

/**
 * `--resume` continues with the run's stored config. A flag that would change what is being trained
 * (data, model shape, optimiser) and differs from the stored value is an error naming it; adjustable
 * ones (epochs, patience, backend…) take the new value.
 */
export function resolveResumedConfig(stored: TrainConfig, cli: TrainConfig): TrainConfig {
  // A run saved before --arch existed trained imgcap's network, whatever today's default is.
  // One saved before --backbone_weights defaulted to imagenet and without the flag had a random backbone.
  const backboneWeights = stored.backbone_weights ?? (/^efficientnet/.test(stored.backbone ?? '') ? 'none' : undefined);
  const resolved: TrainConfig = {
    ...TRAIN_DEFAULTS,
    ...stored,
    arch: stored.arch ?? 'imgcap',
    backbone_weights: backboneWeights,
  };
  for (const key of Object.keys(TRAIN_DEFAULTS) as (keyof TrainConfig)[]) {
    if (ADJUSTABLE.includes(key)) {
      (resolved as unknown as Record<string, unknown>)[key] = cli[key];
      continue;
    }
    const given = cli[key];
    if (given !== TRAIN_DEFAULTS[key] && given !== resolved[key]) {
      throw new Error(
        `--${key} ${String(given)} differs from the resumed run's ${String(resolved[key])}; drop it or start a new run.`,
      );
    }
  }
  return resolved;
}
