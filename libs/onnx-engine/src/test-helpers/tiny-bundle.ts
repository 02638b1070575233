import { join } from 'node:path';
import { saveCaptionBundle, type RgbImage } from '@imgcap/captioner/bundle';
import { CaptionModel, type CaptionModelConfig } from '@imgcap/captioner/model';
import { selectBackend } from '@imgcap/tf-runtime';
import { WordTokenizer } from '@imgcap/tokenizer';

/** Tests compare against tfjs on wasm, the backend the tfjs engine uses on these machines. */
export async function useTestBackend(): Promise<void> {
  await selectBackend({ backend: 'wasm', log: () => {} });
}

/** Small enough to run in milliseconds, wide enough that ties between tokens are unlikely. */
export const TINY_CONFIG: CaptionModelConfig = {
  vocabSize: 14,
  seqLength: 9,
  embedDim: 16,
  ffDim: 24,
  encHeads: 2,
  decHeads: 4,
  dropout: 0,
  backbone: 'patch4@8',
  imageSize: 8,
  featureShape: [4, 48],
};

const CAPTIONS = ['a red circle on grass', 'a blue square', 'two green triangles near a dog'];

let bundlesSaved = 0;

/**
 * Saves a randomly initialised bundle under `dir/name` and returns its path. Weights are seeded (so a test sees
 * the same captions every run) and differ per call (so a re-saved bundle really changes).
 */
export async function saveTinyBundle(dir: string, name: string, config = TINY_CONFIG): Promise<string> {
  const tokenizer = WordTokenizer.fit(CAPTIONS, { vocabSize: config.vocabSize });
  const model = new CaptionModel(config, { seed: 17 + bundlesSaved++ });
  const bundleDir = join(dir, name);
  try {
    await saveCaptionBundle(bundleDir, { model, tokenizer });
  } finally {
    model.dispose();
  }
  return bundleDir;
}

/** Deterministic pseudo-random RGB images of `size` × `size`. */
export function randomImages(count: number, size: number, seed = 1): RgbImage[] {
  let state = seed >>> 0 || 1;
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state >>> 24;
  };
  return Array.from({ length: count }, () => ({
    width: size,
    height: size,
    data: Uint8Array.from({ length: size * size * 3 }, next),
  }));
}
