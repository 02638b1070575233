import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@imgcap/tf-runtime';
import type { CaptionModelConfig } from '../config.js';
import { SPECIAL_IDS_NOT_IN_CAPTIONS, SpecialTokens } from '@imgcap/tokenizer';
import { searchTokensOf } from '../generation/caption-result.js';
import type { SearchTokens } from '../generation/session.js';

/** Tests run on wasm, the default backend here, with the kernel fixes training needs. */
export async function useTestBackend(): Promise<void> {
  await selectBackend({ backend: 'wasm', log: () => {} });
}

export const TINY_CONFIG: CaptionModelConfig = {
  vocabSize: 12,
  seqLength: 8,
  embedDim: 16,
  ffDim: 32,
  encHeads: 2,
  decHeads: 2,
  dropout: 0,
  backbone: 'patch4@8',
  imageSize: 8,
  featureShape: [4, 48],
};

/** Random features [n, T, C] from a fixed seed. */
export function randomFeatures(n: number, config = TINY_CONFIG, seed = 7): tf.Tensor3D {
  return tf.randomUniform([n, ...config.featureShape], 0, 1, 'float32', seed) as tf.Tensor3D;
}

/** The seed architecture at the same size, its dropouts off so runs can be compared step for step. */
export const TINY_SEED_CONFIG: CaptionModelConfig = {
  ...TINY_CONFIG,
  arch: 'seed',
  seedDropout: { attention: 0, feedForward: 0, output: 0 },
};

/** One tiny config per architecture, for tests that must hold for both. */
export const TINY_CONFIGS: [string, CaptionModelConfig][] = [
  ['imgcap', TINY_CONFIG],
  ['seed', TINY_SEED_CONFIG],
];

/** The search tokens of imgcap's own tokenizer (`WordTokenizer`). */
export const SEARCH_TOKENS: SearchTokens = searchTokensOf({
  markers: SpecialTokens,
  bannedInCaptions: SPECIAL_IDS_NOT_IN_CAPTIONS,
});
