import { Command, InvalidArgumentError, Option } from 'commander';
import { PRESETS, type ModelPreset } from '@imgcap/captioner/model';
import {
  ARCHITECTURES,
  BACKENDS,
  DATASETS,
  CACHE_PRECISIONS,
  FEATURE_ENGINES,
  SCST_BASELINES,
  TRAIN_KERNELS,
  PRESET_NAMES,
  TRAIN_DEFAULTS,
  type TrainConfig,
} from './config.js';

function integer(min: number, max = Infinity) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      const range = max === Infinity ? `≥ ${min}` : `from ${min} to ${max}`;
      throw new InvalidArgumentError(`expected an integer ${range}, got "${value}".`);
    }
    return n;
  };
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number > 0, got "${value}".`);
  return n;
}

function fraction(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n >= 1)
    throw new InvalidArgumentError(`expected a number in [0, 1), got "${value}".`);
  return n;
}

const D = TRAIN_DEFAULTS;

/** The train command's flags, by group. Commander rejects unknown flags and names them. */
export function buildTrainCommand(): Command {
  const command = new Command('train').description(
    'Train an image captioning model (frozen backbone → Transformer encoder → decoder).',
  );
  return [dataFlags, modelFlags, optimizerFlags, scstFlags, backboneFlags, runFlags, engineFlags]
    .reduce((cmd, addFlags) => addFlags(cmd), command)
    .allowExcessArguments(false);
}

/** Where the data is and how it splits. */
function dataFlags(command: Command): Command {
  return command
    .addOption(new Option('--dataset <name>', 'dataset format').choices(DATASETS).default(D.dataset))
    .option('--data_dir <dir>', 'dataset directory', D.data_dir)
    .option('--split_file <file>', 'Karpathy-format split JSON (train/val/test membership used as given)');
}

/** The network: architecture, preset and sizes. */
function modelFlags(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--arch <name>',
        "network: seed (the Keras project's, exactly) or imgcap (imgcap's own, see docs/architecture.md)",
      )
        .choices(ARCHITECTURES)
        .default(D.arch),
    )
    .addOption(
      new Option(
        '--preset <size>',
        "model size (seed-* are the Keras project's trained sizes, with their epochs and lr); explicit flags override it",
      ).choices(PRESET_NAMES),
    )
    .option('--seq_length <n>', 'caption length in tokens, markers included', integer(3), D.seq_length)
    .option('--batch_size <n>', 'examples per step', integer(1), D.batch_size)
    .option(
      '--epochs <n>',
      'cross-entropy epochs (0: only self-critical epochs, from --init_from)',
      integer(0),
      D.epochs,
    )
    .option('--embed_dim <n>', 'model width', integer(1), D.embed_dim)
    .option('--ff_dim <n>', 'feed-forward width', integer(1), D.ff_dim)
    .option('--enc_heads <n>', 'encoder attention heads', integer(1), D.enc_heads)
    .option('--dec_heads <n>', 'decoder attention heads', integer(1), D.dec_heads);
}

/** The optimizer and the schedule. */
function optimizerFlags(command: Command): Command {
  return command
    .option('--lr <x>', 'peak learning rate (Adam)', positiveNumber, D.lr)
    .option('--warmup_steps <n>', 'linear learning-rate warmup steps', integer(0), D.warmup_steps)
    .option(
      '--patience <n>',
      'epochs without validation improvement before stopping (0 = never stop early)',
      integer(0),
      D.patience,
    );
}

/** Self-critical sequence training after (or instead of) cross-entropy. */
function scstFlags(command: Command): Command {
  return command
    .option(
      '--scst_epochs <n>',
      'self-critical (CIDEr-D reward) epochs after the cross-entropy ones',
      integer(0),
      D.scst_epochs,
    )
    .option('--scst_lr <x>', 'their learning rate (default: --lr / 10)', positiveNumber)
    .option('--scst_samples <n>', 'captions sampled per image', integer(2, 16), D.scst_samples)
    .addOption(
      new Option(
        '--scst_baseline <kind>',
        "a sample's baseline: the other samples' mean reward, or the greedy caption's",
      )
        .choices(SCST_BASELINES)
        .default(D.scst_baseline),
    )
    .option('--scst_temperature <x>', 'sampling temperature', positiveNumber, D.scst_temperature)
    .option(
      '--scst_images <n>',
      'images per self-critical step (0: --batch_size / --scst_samples)',
      integer(0),
      D.scst_images,
    )
    .option('--init_from <dir>', 'start from this caption bundle or run (its weights and vocabulary)');
}

/** The vocabulary, the backbone and regularisation. */
function backboneFlags(command: Command): Command {
  return command
    .option('--vocab_size <n>', 'vocabulary size, special tokens included', integer(5), D.vocab_size)
    .option('--backbone <id>', 'efficientnet-b0…b7, or patch<P> (raw pixel patches, trainable projection)', D.backbone)
    .option(
      '--image_size <px>',
      "backbone input size (default: 224 with --arch seed, as the Keras project; else the backbone's own)",
      integer(8),
    )
    .option(
      '--backbone_weights <imagenet|none|file>',
      "EfficientNet weights: imagenet (default: Keras's efficientnetbN_notop.h5 from ~/.keras/models or imgcap's cache, else downloaded and MD5-checked as Keras does), none (seeded random), or a file (Keras .h5/.weights.h5/.keras, or a tensorflowjs_converter directory)",
    )
    .option('--backbone_layer <name>', 'cut the backbone at this Keras layer name (e.g. block3b_add)')
    .option(
      '--dropout <p>',
      "dropout rate of --arch imgcap (the seed architecture has Keras's fixed 0.1/0.3/0.5)",
      fraction,
      D.dropout,
    );
}

/** The run: data subset, seeds, backend, replicas, checkpoints and tracking. */
function runFlags(command: Command): Command {
  return command
    .option('--max_images <n>', 'use at most this many images (after splitting)', integer(1))
    .option('--val_sample <n>', 'validation images captioned each epoch for BLEU/CIDEr', integer(0), D.val_sample)
    .option('--seed <n>', 'random seed (split, shuffling, init)', integer(0), D.seed)
    .addOption(
      new Option(
        '--backend <name>',
        'tfjs backend (auto: $IMGCAP_BACKEND if set, else tfjs-node-gpu, tfjs-node, wasm, cpu)',
      )
        .choices(BACKENDS)
        .default(D.backend),
    )
    .option(
      '--workers <n>',
      'gradient replicas in parallel threads, 0 to 4 (0 = auto: one per core, at most 4, on wasm/cpu; 1 on tensorflow)',
      integer(0, 4),
      D.workers,
    )
    .option('--artifact_dir <dir>', 'run directory', D.artifact_dir)
    .option('--resume', 'continue the run in artifact_dir from its last checkpoint', D.resume)
    .option('--overwrite', 'clear a non-empty artifact_dir first', D.overwrite)
    .option('--keep_checkpoints <n>', 'recent checkpoints kept besides the best', integer(1), D.keep_checkpoints)
    .option(
      '--checkpoint_every <n>',
      'also checkpoint every N steps (0 = only at epoch ends)',
      integer(0),
      D.checkpoint_every,
    )
    .option('--wandb_project <name>', 'also log to Weights & Biases (needs WANDB_API_KEY)')
    .option('--wandb_entity <name>', 'W&B entity (team or user)')
    .option(
      '--wandb_name <name>',
      "W&B run name (default: the Keras project's MM-DD-HH:MM_model_emdE_DHd_EHe_EPSn_LRlr)",
    )
    .option(
      '--keras_artifacts',
      "also write the Keras project's artifacts (trial_config.json, tokenizer.keras, <RUN_NAME>.h5, train_history.csv) so its Python code loads the model (default with --arch seed)",
    )
    .option('--no-keras_artifacts', "do not write the Keras project's artifacts")
    .option('--dry-run', 'load the data, build the vocabulary, print a summary and exit', D.dry_run);
}

/** Where the work runs: the feature cache, the backbone's engine, training's kernels. */
function engineFlags(command: Command): Command {
  return command
    .option(
      '--feature_cache <dir>',
      'backbone feature cache shared by runs (default: <artifact_dir>/../.feature-cache)',
    )
    .addOption(
      new Option(
        '--feature_cache_dtype <type>',
        'how cached features are stored: float32, or float16 (half the disk: 4.9 GiB instead of 9.7 for Flickr30k at 240 px; see docs/feature-cache.md)',
      )
        .choices(CACHE_PRECISIONS)
        .default(D.feature_cache_dtype),
    )
    .addOption(
      new Option(
        '--feature_engine <name>',
        'where the backbone extracts features (auto: ONNX Runtime for EfficientNet on wasm/cpu, ~14x faster; else tfjs)',
      )
        .choices(FEATURE_ENGINES)
        .default(D.feature_engine),
    )
    .addOption(
      new Option(
        '--train_kernels <name>',
        "where training's large matrix products run on wasm (auto: ONNX Runtime's native GEMM when it loads, ~2.5x faster steps; wasm: tfjs only)",
      )
        .choices(TRAIN_KERNELS)
        .default(D.train_kernels),
    );
}

/** Config fields a preset sets, with the preset field each comes from; explicit flags still win. */
const PRESET_FIELDS = {
  arch: 'arch',
  embed_dim: 'embedDim',
  ff_dim: 'ffDim',
  enc_heads: 'encHeads',
  dec_heads: 'decHeads',
  epochs: 'epochs',
  lr: 'lr',
} as const satisfies Partial<Record<keyof TrainConfig, keyof ModelPreset>>;

/** Parses argv (without node and script) into a resolved config; throws CommanderError on bad input. */
export function parseTrainArgs(argv: string[], configure?: (cmd: Command) => void): TrainConfig {
  const cmd = buildTrainCommand();
  configure?.(cmd);
  cmd.parse(argv, { from: 'user' });
  const opts = cmd.opts();
  const config: TrainConfig = { ...TRAIN_DEFAULTS };
  for (const key of Object.keys(TRAIN_DEFAULTS) as (keyof TrainConfig)[]) {
    const flagKey = key === 'dry_run' ? 'dryRun' : key;
    if (opts[flagKey] !== undefined) (config as unknown as Record<string, unknown>)[key] = opts[flagKey];
  }
  if (config.preset) {
    const preset: ModelPreset = PRESETS[config.preset];
    for (const [flag, field] of Object.entries(PRESET_FIELDS) as [keyof typeof PRESET_FIELDS, keyof ModelPreset][]) {
      if (cmd.getOptionValueSource(flag) !== 'cli' && preset[field] !== undefined)
        (config as unknown as Record<string, unknown>)[flag] = preset[field];
    }
  }
  // The seed's heads are each embed_dim wide; imgcap's split it.
  for (const [key, heads] of config.arch === 'imgcap'
    ? ([
        ['enc_heads', config.enc_heads],
        ['dec_heads', config.dec_heads],
      ] as const)
    : []) {
    if (config.embed_dim % heads !== 0) {
      cmd.error(
        `error: --embed_dim ${config.embed_dim} is not divisible by --${key} ${heads} (--arch imgcap splits the width between heads; --arch seed does not).`,
        { code: 'imgcap.invalidShape' },
      );
    }
  }
  if (config.arch === 'seed' && cmd.getOptionValueSource('dropout') === 'cli') {
    cmd.error(
      "error: --dropout applies to --arch imgcap; the seed architecture keeps the Keras project's rates (0.1 attention, 0.3 feed-forward, 0.5 output).",
      { code: 'imgcap.invalidFlag' },
    );
  }
  if (config.keras_artifacts && config.arch !== 'seed')
    cmd.error("error: --keras_artifacts needs --arch seed: only the seed architecture is the Keras project's model.", {
      code: 'imgcap.invalidFlag',
    });
  if (config.resume && config.overwrite) cmd.error('error: --resume and --overwrite cannot be used together.');
  if (config.epochs + config.scst_epochs === 0)
    cmd.error('error: --epochs 0 needs --scst_epochs ≥ 1 (nothing to train otherwise).', {
      code: 'imgcap.invalidFlag',
    });
  if (config.scst_epochs > 0 && config.val_sample === 0)
    cmd.error('error: --scst_epochs picks its best epoch by validation CIDEr-D: it needs --val_sample ≥ 1.', {
      code: 'imgcap.invalidFlag',
    });
  if (config.epochs === 0 && !config.init_from)
    cmd.error('error: --epochs 0 (self-critical training only) needs --init_from a trained bundle or run.', {
      code: 'imgcap.invalidFlag',
    });
  return config;
}
