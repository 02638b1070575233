import { beamSearch } from './beam-search.js';
import { greedySearch } from './greedy-search.js';
import { sampleSearch } from './sample-search.js';
import type { SearchOptions } from './search-options.js';
import type { DecoderSession, Hypothesis, SearchTokens } from './session.js';

/** Decoder rows each image needs: one per beam, or one per drawn caption. */
export function rowsPerImage(options: SearchOptions): number {
  return options.sample ? options.samples : options.beamWidth;
}

/**
 * The search `options` ask for, over a session of `images × rowsPerImage(options)` rows (image by image): greedy
 * decoding, beam search (one caption per image), or sampling (`samples` captions per image). Any engine's session.
 */
export function runSearch(
  session: DecoderSession,
  images: number,
  tokens: SearchTokens,
  options: SearchOptions,
): Promise<Hypothesis[]> {
  if (options.sample) {
    return sampleSearch(session, tokens, options, options.seed ?? Math.floor(Math.random() * 0x100000000));
  }
  return options.beamWidth === 1
    ? greedySearch(session, tokens, options)
    : beamSearch(session, images, tokens, options);
}
