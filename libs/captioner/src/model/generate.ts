import * as tf from '@tensorflow/tfjs-core';
import type { CaptionModel } from './caption-model.js';
import { CachedDecoderSession } from './cached-session.js';
import { FullDecoderSession } from './full-session.js';
import { rowsPerImage, runSearch } from '../generation/run-search.js';
import { resolveSearchOptions, type SearchOptions } from '../generation/search-options.js';
import type { Hypothesis, SearchTokens } from '../generation/session.js';

/**
 * Captions a batch of images from their backbone features [N, T, C]: encode once, then greedy
 * decoding (beamWidth 1), beam search, or sampling (`sample`: `samples` captions per image, image by image),
 * with the key/value cache unless `useCache` is false.
 */
export async function generateFromFeatures(
  model: CaptionModel,
  features: tf.Tensor3D,
  tokens: SearchTokens,
  overrides: Partial<SearchOptions> = {},
): Promise<Hypothesis[]> {
  const options = resolveSearchOptions(overrides, model.config.seqLength - 1);
  const images = features.shape[0];
  const K = rowsPerImage(options);
  const encodedRows = tf.tidy(() => {
    const encoded = model.encode(features);
    if (K === 1) return encoded;
    // Row image·K + j holds image's encoding: one decoder row per beam or per drawn caption.
    const index = tf.tensor1d(
      Array.from({ length: images * K }, (_, row) => Math.floor(row / K)),
      'int32',
    );
    return tf.gather(encoded, index, 0) as tf.Tensor3D;
  });
  const session = options.useCache
    ? new CachedDecoderSession(model, encodedRows)
    : new FullDecoderSession(model, encodedRows);
  encodedRows.dispose();
  try {
    return await runSearch(session, images, tokens, options);
  } finally {
    session.dispose();
  }
}
