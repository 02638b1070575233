import { ENGINE_CHOICES, type EngineChoice } from '@imgcap/onnx-engine';
import { DATASET_KINDS, SPLITS, type DatasetKind, type Split } from '@imgcap/flickr-dataset';
import { BACKEND_CHOICES, type BackendChoice } from '@imgcap/tf-runtime';
import { InvalidArgumentError, Option, type Command } from 'commander';

/** Everything `eval --model …` needs; defaults are set on the flags below and documented in the README. */
export interface EvaluateSettings {
  model: string;
  dataset: DatasetKind;
  dataDir: string;
  splitFile?: string;
  split: Split;
  /** 1 = greedy decoding. */
  beam: number;
  /** Absent: the captioner's default, capped by the model's sequence length. */
  maxLength?: number;
  lengthPenalty: number;
  /** n ≥ 1: no n-gram of words twice in a caption; 0 = off. */
  noRepeatNgramSize: number;
  /** Caption only the first N images of the split (quick checks). */
  limit?: number;
  batchSize: number;
  /** Absent: `<model dir>/eval-<split>-beam<N>`. */
  out?: string;
  /** Images shown in report.html. */
  examples: number;
  /** Absent: env IMGCAP_BACKEND, else auto (tfjs-node-gpu, tfjs-node, wasm, cpu). */
  backend?: BackendChoice;
  /** tfjs, onnx (ONNX Runtime via @imgcap/onnx-engine), or auto (resolveInferenceEngine: onnx unless tfjs-node). */
  engine: EngineChoice;
  seed?: number;
  /** Score images the model trained on anyway (refused by default: the scores would be inflated). */
  allowTrainingImages: boolean;
}

/** The flags exactly as commander stores them (snake_case names kept from the seed's CLI). */
interface RawFlags {
  model: string;
  dataset: DatasetKind;
  data_dir: string;
  split_file?: string;
  split: Split;
  beam: number;
  max_length?: number;
  length_penalty: number;
  no_repeat_ngram_size: number;
  limit?: number;
  batch_size: number;
  out?: string;
  examples: number;
  backend?: BackendChoice;
  engine: EngineChoice;
  seed?: number;
  allow_training_images: boolean;
}

function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*-?\d+\s*$/.test(value) || n < min || n > max) {
      throw new InvalidArgumentError(`must be an integer from ${min} to ${max}.`);
    }
    return n;
  };
}

function numberIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(`must be a number from ${min} to ${max}.`);
    }
    return n;
  };
}

const MAX_INT = Number.MAX_SAFE_INTEGER;

/** Declares the captioning flags on `command`; unknown flags stay errors (commander's default). */
export function addEvaluateOptions(command: Command): Command {
  return command
    .requiredOption('--model <dir>', 'caption bundle, or training run directory holding bundle/')
    .addOption(new Option('--dataset <kind>', 'dataset format').choices(DATASET_KINDS).makeOptionMandatory())
    .requiredOption('--data_dir <dir>', 'dataset directory')
    .option('--split_file <file>', 'Karpathy split JSON (flickr30k: split membership; karpathy: the file to read)')
    .addOption(new Option('--split <name>', 'split to caption').choices(SPLITS).default('test'))
    .option('--beam <n>', 'beam width; 1 = greedy', integerIn(1, 16), 3)
    .option(
      '--max_length <n>',
      "most generated ids per caption (default: the model's limit, at most 35)",
      integerIn(1, MAX_INT),
    )
    .option('--length_penalty <x>', 'beams are ranked by logProb / length^x', numberIn(0, 5), 1)
    .option('--no_repeat_ngram_size <n>', 'no n-gram of words twice in a caption (0 = off)', integerIn(0, 10), 0)
    .option('--limit <n>', 'caption only the first N images of the split', integerIn(1, MAX_INT))
    .option('--batch_size <n>', 'images captioned per call', integerIn(1, 1024), 16)
    .option('--out <dir>', 'output directory (default: <model>/eval-<split>-beam<N>)')
    .option('--examples <n>', 'examples with attention maps in report.html', integerIn(0, 1000), 20)
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
    )
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

export function toEvaluateSettings(flags: RawFlags): EvaluateSettings {
  return {
    model: flags.model,
    dataset: flags.dataset,
    dataDir: flags.data_dir,
    splitFile: flags.split_file,
    split: flags.split,
    beam: flags.beam,
    maxLength: flags.max_length,
    lengthPenalty: flags.length_penalty,
    noRepeatNgramSize: flags.no_repeat_ngram_size,
    limit: flags.limit,
    batchSize: flags.batch_size,
    out: flags.out,
    examples: flags.examples,
    backend: flags.backend,
    engine: flags.engine,
    seed: flags.seed,
    allowTrainingImages: flags.allow_training_images,
  };
}

export type { RawFlags as EvaluateFlags };
