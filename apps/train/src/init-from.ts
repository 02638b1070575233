import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { locateCaptionBundle, readBundleManifest } from '@imgcap/captioner/bundle';
import { type CaptionModelConfig } from '@imgcap/captioner/model';
import { tokenizerFromJSON, type CaptionTokenizer } from '@imgcap/tokenizer';

/** A trained bundle to start from (`--init_from`): its model's shape, weights and vocabulary. */
export interface InitialBundle {
  dir: string;
  config: CaptionModelConfig;
  tokenizer: CaptionTokenizer;
  weightsDir: string;
}

/** Reads `--init_from` (a caption bundle or a run with bundle/); errors name the flag. */
export async function readInitialBundle(dir: string): Promise<InitialBundle> {
  try {
    const { bundleDir } = await locateCaptionBundle(dir);
    const manifest = await readBundleManifest(bundleDir);
    const tokenizer = tokenizerFromJSON(JSON.parse(await readFile(join(bundleDir, 'tokenizer.json'), 'utf8')));
    return { dir: bundleDir, config: manifest.config, tokenizer, weightsDir: join(bundleDir, 'model') };
  } catch (error) {
    throw new Error(`--init_from ${dir}: ${(error as Error).message}`);
  }
}

/** What decides the weights' shapes and meaning (dropout rates do not). */
const SHAPE_FIELDS: (keyof CaptionModelConfig)[] = [
  'arch',
  'vocabSize',
  'seqLength',
  'embedDim',
  'ffDim',
  'encHeads',
  'decHeads',
  'backbone',
  'imageSize',
  'featureShape',
];

/**
 * The run's model must have the bundle's shape to take its weights: each differing field is named with both values,
 * so the user can pass the flags that match (or the bundle's --preset).
 */
export function checkInitialShape(bundle: InitialBundle, model: CaptionModelConfig): void {
  const differing = SHAPE_FIELDS.filter((key) => JSON.stringify(bundle.config[key]) !== JSON.stringify(model[key]));
  if (differing.length === 0) return;
  const list = differing
    .map((key) => `${key}: bundle ${JSON.stringify(bundle.config[key])}, this run ${JSON.stringify(model[key])}`)
    .join('; ');
  throw new Error(`--init_from ${bundle.dir}: the model differs from the bundle's (${list}). Pass matching flags.`);
}
