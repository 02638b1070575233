import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BUNDLE_MANIFEST_FILE } from './manifest.js';

/** Where a training run directory keeps its final caption bundle. */
export const RUN_BUNDLE_DIR = 'bundle';

export interface LocatedBundle {
  /** The directory the user named (a run or a bundle), absolute: eval writes its outputs under it. */
  modelDir: string;
  /** The caption bundle inside it (`modelDir` itself, or `<run>/bundle`). */
  bundleDir: string;
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

/**
 * What every `--model DIR` flag (eval, serve) accepts: a caption bundle (has bundle.json) or a training run directory (has bundle/bundle.json).
 * Anything else is an error naming both places that were looked at.
 */
export async function locateCaptionBundle(dir: string): Promise<LocatedBundle> {
  const modelDir = resolve(dir);
  const info = await stat(modelDir).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`model directory ${dir} does not exist or is not a directory`);
  if (await isFile(join(modelDir, BUNDLE_MANIFEST_FILE))) return { modelDir, bundleDir: modelDir };
  const runBundle = join(modelDir, RUN_BUNDLE_DIR);
  if (await isFile(join(runBundle, BUNDLE_MANIFEST_FILE))) return { modelDir, bundleDir: runBundle };
  const lookedFor = `${join(dir, BUNDLE_MANIFEST_FILE)} and ${join(dir, RUN_BUNDLE_DIR, BUNDLE_MANIFEST_FILE)}`;
  throw new Error(`${dir} is neither a caption bundle nor a training run with a bundle: looked for ${lookedFor}`);
}
