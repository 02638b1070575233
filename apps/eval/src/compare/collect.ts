import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { locateCaptionBundle, readBundleManifest } from '@imgcap/captioner/bundle';
import { architectureOf, type Architecture } from '@imgcap/captioner/model';
import type { MetricScores } from '@imgcap/caption-metrics';

/** The part of an eval's metrics.json that `compare` shows. */
export interface EvalSummary {
  file: string;
  split: string;
  beam: number;
  metrics: MetricScores;
  captionsPerSecond: number;
  createdAt: string;
}

export interface CompareEntry {
  name: string;
  arch: Architecture;
  preset?: string;
  backbone: string;
  /** Parameters of the captioning model (encoder + decoder), the frozen backbone excluded. */
  parameters: number;
  bundleBytes: number;
  evals: EvalSummary[];
}

/** Reads what `compare` needs from a run or bundle directory: manifest, weights manifest, sizes, eval outputs. */
export async function collectEntry(dir: string, warn: (line: string) => void): Promise<CompareEntry> {
  const { modelDir, bundleDir } = await locateCaptionBundle(dir);
  const manifest = await readBundleManifest(bundleDir);
  const preset = manifest.metadata.preset;
  const evalDirs = new Set([...(await evalDirsIn(modelDir)), ...(await evalDirsIn(bundleDir))]);
  const evals: EvalSummary[] = [];
  for (const evalDir of evalDirs) {
    const summary = await readEvalSummary(join(evalDir, 'metrics.json'), warn);
    if (summary) evals.push(summary);
  }
  return {
    name: basename(modelDir),
    arch: architectureOf(manifest.config),
    preset: typeof preset === 'string' ? preset : undefined,
    backbone: manifest.backbone.id,
    parameters: await countSavedParameters(join(bundleDir, 'model', 'model.json')),
    bundleBytes: await directoryBytes(bundleDir),
    evals,
  };
}

/**
 * The cheap path to the parameter count: sum the shapes in model.json's weights manifest. It lists every weight of
 * the saved network, so it equals `CaptionModel.countParams()` without loading tfjs or building the model.
 */
export async function countSavedParameters(modelJson: string): Promise<number> {
  let json: { weightsManifest?: { weights?: { shape?: number[] }[] }[] };
  try {
    json = JSON.parse(await readFile(modelJson, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the weights manifest ${modelJson}: ${(error as Error).message}`);
  }
  const weights = (json.weightsManifest ?? []).flatMap((group) => group.weights ?? []);
  return weights.reduce((sum, weight) => sum + (weight.shape ?? []).reduce((n, d) => n * d, 1), 0);
}

async function evalDirsIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory() && entry.name.startsWith('eval-'))
    .map((entry) => join(dir, entry.name));
}

async function readEvalSummary(file: string, warn: (line: string) => void): Promise<EvalSummary | undefined> {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    // An eval directory without (or with a torn) metrics.json is an unfinished eval: show it as missing.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') warn(`skipping ${file}: ${(error as Error).message}`);
    return undefined;
  }
  const { split, beam, metrics, captions_per_second: speed, createdAt } = json;
  if (typeof split !== 'string' || typeof beam !== 'number' || typeof metrics !== 'object' || metrics === null) {
    warn(`skipping ${file}: expected "split", "beam" and "metrics" as eval writes them`);
    return undefined;
  }
  return {
    file,
    split,
    beam,
    metrics: metrics as MetricScores,
    captionsPerSecond: typeof speed === 'number' ? speed : NaN,
    createdAt: typeof createdAt === 'string' ? createdAt : '',
  };
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    // Eval outputs written inside a bundle are not part of the model.
    if (entry.name.startsWith('eval-')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(path);
    else if (entry.isFile()) total += (await stat(path)).size;
  }
  return total;
}
