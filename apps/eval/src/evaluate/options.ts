import { ENGINE_CHOICES, type EngineChoice } from '@imgcap/onnx-engine';
import { DATASET_KINDS, SPLITS, type DatasetKind, type Split } from '@imgcap/flickr-dataset';
import { BACKEND_CHOICES, type BackendChoice } from '@imgcap/tf-runtime';
import { InvalidArgumentError, Option, type Command } from 'commander';

/** What loading a model and captioning with it needs: shared by `eval --model …` and `eval caption-files`. */
export interface ModelSettings {
  model: string;
  /** 1 = greedy decoding. */
  beam: number;
  /** Absent: the captioner's default, capped by the model's sequence length. */
  maxLength?: number;
  lengthPenalty: number;
  /** n ≥ 1: no n-gram of words twice in a caption; 0 = off. */
  noRepeatNgramSize: number;
  /** Draw captions (temperature, top-k, seed) instead of searching; see @imgcap/captioner's SearchOptions. */
  sample: boolean;
  temperature: number;
  topK: number;
  sampleSeed?: number;
  batchSize: number;
  /** Absent: env IMGCAP_BACKEND, else auto (tfjs-node-gpu, tfjs-node, wasm, cpu). */
  backend?: BackendChoice;
  /** tfjs, onnx (ONNX Runtime via @imgcap/onnx-engine), or auto (resolveInferenceEngine: onnx unless tfjs-node). */
  engine: EngineChoice;
}

/** Everything `eval --model …` needs; defaults are set on the flags below and documented in the README. */
export interface EvaluateSettings extends ModelSettings {
  dataset: DatasetKind;
  dataDir: string;
  splitFile?: string;
  split: Split;
  /** Caption only the first N images of the split (quick checks). */
  limit?: number;
  /** Absent: `<model dir>/eval-<split>-beam<N>` (`-sample` with --sample). */
  out?: string;
  /** Images shown in report.html. */
  examples: number;
  seed?: number;
  /** Score images the model trained on anyway (refused by default: the scores would be inflated). */
  allowTrainingImages: boolean;
}

/** The model flags exactly as commander stores them (snake_case names kept from the seed's CLI). */
export interface ModelFlags {
  model: string;
  beam: number;
  max_length?: number;
  length_penalty: number;
  no_repeat_ngram_size: number;
  sample: boolean;
  temperature: number;
  top_k: number;
  sample_seed?: number;
  batch_size: number;
  backend?: BackendChoice;
  engine: EngineChoice;
}

/** The flags of `eval --model …` exactly as commander stores them. */
interface RawFlags extends ModelFlags {
  dataset: DatasetKind;
  data_dir: string;
  split_file?: string;
  split: Split;
  limit?: number;
  out?: string;
  examples: number;
  seed?: number;
  allow_training_images: boolean;
}

export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*-?\d+\s*$/.test(value) || n < min || n > max) {
      throw new InvalidArgumentError(`must be an integer from ${min} to ${max}.`);
    }
    return n;
  };
}

export function numberIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(`must be a number from ${min} to ${max}.`);
    }
    return n;
  };
}

export const MAX_INT = Number.MAX_SAFE_INTEGER;

/**
 * Declares the flags that load a model and decode with it (`--model`, `--beam`, …, `--batch_size`, `--backend`,
 * `--engine`): one declaration, so every command that captions takes the same flags with the same defaults.
 */
export function addModelOptions(command: Command): Command {
  return command
    .requiredOption('--model <dir>', 'caption bundle, or training run directory holding bundle/')
    .option('--beam <n>', 'beam width; 1 = greedy', integerIn(1, 16), 3)
    .option(
      '--max_length <n>',
      "most generated ids per caption (default: the model's limit, at most 35)",
      integerIn(1, MAX_INT),
    )
    .option('--length_penalty <x>', 'beams are ranked by logProb / length^x', numberIn(0, 5), 1)
    .option('--no_repeat_ngram_size <n>', 'no n-gram of words twice in a caption (0 = off)', integerIn(0, 10), 0)
    .addOption(
      new Option('--sample', 'draw each caption from the model (diverse captions) instead of beam/greedy search')
        .conflicts('beam')
        .default(false),
    )
    .option('--temperature <x>', 'with --sample: 1 = the model, < 1 sharper, 0 = greedy', numberIn(0, 10), 1)
    .option('--top_k <n>', 'with --sample: draw from the k likeliest words (0 = all)', integerIn(0, 100_000), 0)
    .option('--sample_seed <n>', 'with --sample: seed of the draws (default: random)', integerIn(0, 2 ** 32 - 1))
    .option('--batch_size <n>', 'images captioned per call', integerIn(1, 1024), 16)
    .addOption(
      new Option('--backend <name>', 'tfjs backend (default: $IMGCAP_BACKEND, else auto)').choices(BACKEND_CHOICES),
    )
    .addOption(
      new Option(
        '--engine <name>',
        'inference engine: tfjs, onnx (ONNX Runtime; same captions), or auto: onnx unless tfjs runs on tfjs-node',
      )
        .choices(ENGINE_CHOICES)
        .default('auto'),
    );
}

/** Declares the captioning flags on `command`; unknown flags stay errors (commander's default). */
export function addEvaluateOptions(command: Command): Command {
  return addModelOptions(command)
    .addOption(new Option('--dataset <kind>', 'dataset format').choices(DATASET_KINDS).makeOptionMandatory())
    .requiredOption('--data_dir <dir>', 'dataset directory')
    .option('--split_file <file>', 'Karpathy split JSON (flickr30k: split membership; karpathy: the file to read)')
    .addOption(new Option('--split <name>', 'split to caption').choices(SPLITS).default('test'))
    .option('--limit <n>', 'caption only the first N images of the split', integerIn(1, MAX_INT))
    .option('--out <dir>', 'output directory (default: <model>/eval-<split>-beam<N>)')
    .option('--examples <n>', 'examples with attention maps in report.html', integerIn(0, 1000), 20)
    .option(
      '--seed <n>',
      "seed of the split-by-image when the dataset has no split file (default: the model's own recorded split; else train's default 42)",
      integerIn(0, 2 ** 32 - 1),
    )
    .option(
      '--allow_training_images',
      'score images the model trained on (refused by default: such scores are inflated)',
      false,
    );
}

export function toModelSettings(flags: ModelFlags): ModelSettings {
  return {
    model: flags.model,
    beam: flags.beam,
    maxLength: flags.max_length,
    lengthPenalty: flags.length_penalty,
    noRepeatNgramSize: flags.no_repeat_ngram_size,
    sample: flags.sample,
    temperature: flags.temperature,
    topK: flags.top_k,
    sampleSeed: flags.sample_seed,
    batchSize: flags.batch_size,
    backend: flags.backend,
    engine: flags.engine,
  };
}

export function toEvaluateSettings(flags: RawFlags): EvaluateSettings {
  return {
    ...toModelSettings(flags),
    dataset: flags.dataset,
    dataDir: flags.data_dir,
    splitFile: flags.split_file,
    split: flags.split,
    limit: flags.limit,
    out: flags.out,
    examples: flags.examples,
    seed: flags.seed,
    allowTrainingImages: flags.allow_training_images,
  };
}

export type { RawFlags as EvaluateFlags };
