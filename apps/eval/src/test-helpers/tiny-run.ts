import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveCaptionBundle } from '@imgcap/captioner/bundle';
import { CaptionModel } from '@imgcap/captioner/model';
import { generateSyntheticDataset, readKarpathy } from '@imgcap/flickr-dataset';
import { selectBackend } from '@imgcap/tf-runtime';
import { WordTokenizer } from '@imgcap/tokenizer';
import { CommanderError } from 'commander';
import { buildEvalProgram } from '../cli.js';

/** Tests run on wasm, the default backend here. */
export async function useTestBackend(): Promise<void> {
  await selectBackend({ backend: 'wasm', log: () => {} });
}

/** 30 synthetic images (24 train / 3 val / 3 test) at 64 px, the size the tiny model reads. */
export async function makeSyntheticData(dir: string): Promise<string> {
  await generateSyntheticDataset({ dir, images: 30, imageSize: 64 });
  return dir;
}

/**
 * Saves an untrained tiny caption bundle (patch backbone, 8×8 grid) fitted to the synthetic captions, recording the
 * dataset file's split as a model trained on it would; returns its parameter count.
 */
export async function saveTinyBundle(
  dataDir: string,
  bundleDir: string,
  metadata: Record<string, unknown> = {},
): Promise<number> {
  const dataset = await readKarpathy(join(dataDir, 'dataset_synthetic.json'), join(dataDir, 'images'));
  const tokenizer = WordTokenizer.fit(
    dataset.images.flatMap((image) => image.captions),
    { vocabSize: 50 },
  );
  const model = new CaptionModel({
    vocabSize: tokenizer.vocabSize,
    seqLength: 12,
    embedDim: 16,
    ffDim: 32,
    encHeads: 2,
    decHeads: 2,
    dropout: 0,
    backbone: 'patch8@64',
    imageSize: 64,
    featureShape: [64, 192],
  });
  try {
    await mkdir(join(bundleDir, '..'), { recursive: true });
    const ids = (split: string) =>
      dataset.images
        .filter((image) => image.split === split)
        .map((image) => image.id)
        .sort();
    const dataSplit = {
      dataset: 'synthetic',
      source: 'file' as const,
      seed: null,
      splitFile: null,
      images: { train: ids('train'), val: ids('val'), test: ids('test') },
    };
    await saveCaptionBundle(bundleDir, { model, tokenizer, metadata, dataSplit });
    return model.countParams();
  } finally {
    model.dispose();
  }
}

/** `eval`'s flags for `model` on the synthetic dataset in `dataDir`, on wasm: what most tests start from. */
export function syntheticEvalArgs(model: string, dataDir: string): string[] {
  return ['--model', model, '--dataset', 'synthetic', '--data_dir', dataDir, '--backend', 'wasm'];
}

export interface EvalRun {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs `eval <args>` in-process and collects what it prints and how it ends. */
export async function runEval(args: string[]): Promise<EvalRun> {
  let stdout = '';
  let stderr = '';
  const program = buildEvalProgram({
    output: { writeOut: (text) => (stdout += text), writeErr: (text) => (stderr += text) },
    exitOverride: true,
  });
  try {
    await program.parseAsync(args, { from: 'user' });
    return { stdout, stderr, exitCode: 0 };
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return { stdout, stderr, exitCode: error.exitCode };
  }
}

export interface TinyEvalFixture {
  root: string;
  dataDir: string;
  runDir: string;
  /** The bundle's parameter count. */
  parameters: number;
}

/** A temp dir with 30 synthetic images and a run dir holding an untrained tiny bundle; on wasm. */
export async function setUpTinyEvalRun(
  prefix: string,
  runName: string,
  metadata: Record<string, unknown> = {},
): Promise<TinyEvalFixture> {
  await useTestBackend();
  const root = await mkdtemp(join(tmpdir(), prefix));
  const dataDir = await makeSyntheticData(join(root, 'data'));
  const runDir = join(root, runName);
  const parameters = await saveTinyBundle(dataDir, join(runDir, 'bundle'), metadata);
  return { root, dataDir, runDir, parameters };
}
