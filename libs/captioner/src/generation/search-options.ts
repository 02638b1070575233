/** Generation options; each field's default is its documentation. */
export interface SearchOptions {
  /** 1 = greedy decoding; > 1 = beam search with this many beams per image. */
  beamWidth: number;
  /** Most ids generated per caption (words plus the end marker). */
  maxLength: number;
  /** Ranking score = logProb / length ** lengthPenalty; 0 ranks by raw log-probability. */
  lengthPenalty: number;
  /** Decode with the key/value cache; false re-runs the decoder over the whole prefix each step. */
  useCache: boolean;
  /** n ≥ 1: no n-gram of words occurs twice in a caption (Hugging Face's `no_repeat_ngram_size`); 0 = off. */
  noRepeatNgramSize: number;
  /** Draw captions instead of searching for the likeliest: softmax(logProbs / temperature) over the topK ids. */
  sample: boolean;
  /** Sampling only: 1 = the model's distribution, < 1 sharper, > 1 flatter; 0 = arg-max (greedy). */
  temperature: number;
  /** Sampling only: draw from the k likeliest ids; 0 = the whole vocabulary. */
  topK: number;
  /** Sampling only: captions drawn per image (returned image by image). */
  samples: number;
  /** Sampling only: seed of the draws (the same seed, model and images give the same captions); none = random. */
  seed: number | undefined;
}

export const DEFAULT_SEARCH_OPTIONS: SearchOptions = {
  beamWidth: 1,
  maxLength: 35,
  lengthPenalty: 1,
  useCache: true,
  noRepeatNgramSize: 0,
  sample: false,
  temperature: 1,
  topK: 0,
  samples: 1,
  seed: undefined,
};

/** Merges overrides over the defaults; unknown keys and out-of-range values are errors that name them. */
export function resolveSearchOptions(
  overrides: Partial<SearchOptions> = {},
  maxAllowedLength = Infinity,
): SearchOptions {
  for (const key of Object.keys(overrides)) {
    if (!(key in DEFAULT_SEARCH_OPTIONS)) {
      throw new Error(
        `Unknown generation option "${key}"; allowed: ${Object.keys(DEFAULT_SEARCH_OPTIONS).join(', ')}.`,
      );
    }
  }
  const options = {
    ...DEFAULT_SEARCH_OPTIONS,
    maxLength: Math.min(DEFAULT_SEARCH_OPTIONS.maxLength, maxAllowedLength),
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value;
  }
  if (!Number.isInteger(options.beamWidth) || options.beamWidth < 1 || options.beamWidth > 16) {
    throw new Error(`beamWidth must be an integer from 1 to 16, got ${options.beamWidth}.`);
  }
  if (!Number.isInteger(options.maxLength) || options.maxLength < 1 || options.maxLength > maxAllowedLength) {
    throw new Error(`maxLength must be an integer from 1 to ${maxAllowedLength}, got ${options.maxLength}.`);
  }
  if (!Number.isFinite(options.lengthPenalty) || options.lengthPenalty < 0 || options.lengthPenalty > 5) {
    throw new Error(`lengthPenalty must be a number from 0 to 5, got ${options.lengthPenalty}.`);
  }
  if (!Number.isInteger(options.noRepeatNgramSize) || options.noRepeatNgramSize < 0 || options.noRepeatNgramSize > 10) {
    throw new Error(`noRepeatNgramSize must be an integer from 0 (off) to 10, got ${options.noRepeatNgramSize}.`);
  }
  if (typeof options.useCache !== 'boolean')
    throw new Error(`useCache must be true or false, got ${String(options.useCache)}.`);
  checkSamplingOptions(options);
  return options;
}

function checkSamplingOptions(options: SearchOptions): void {
  if (typeof options.sample !== 'boolean')
    throw new Error(`sample must be true or false, got ${String(options.sample)}.`);
  if (!Number.isFinite(options.temperature) || options.temperature < 0 || options.temperature > 10) {
    throw new Error(`temperature must be a number from 0 to 10, got ${options.temperature}.`);
  }
  if (!Number.isInteger(options.topK) || options.topK < 0) {
    throw new Error(`topK must be an integer ≥ 0 (0 = every word), got ${options.topK}.`);
  }
  if (!Number.isInteger(options.samples) || options.samples < 1 || options.samples > 16) {
    throw new Error(`samples must be an integer from 1 to 16, got ${options.samples}.`);
  }
  if (
    options.seed !== undefined &&
    (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff)
  ) {
    throw new Error(`seed must be an integer from 0 to 4294967295, got ${options.seed}.`);
  }
  if (options.sample && options.beamWidth > 1) {
    throw new Error(`sample and beamWidth ${options.beamWidth} do not combine: sampling draws, beam search searches.`);
  }
  if (!options.sample && options.samples > 1) throw new Error(`samples ${options.samples} needs sample: true.`);
}
