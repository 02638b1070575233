export { PRESETS, PRESET_NAMES, validateConfig, type CaptionModelConfig, type ModelShape, type PresetName } from './config.js';
export { maskedAccuracy, maskedCrossEntropy } from './loss.js';
export { DEFAULT_SEARCH_OPTIONS, resolveSearchOptions, type SearchOptions } from './generation/search-options.js';
export type { DecoderSession, Hypothesis, SearchTokens } from './generation/session.js';
export { beamSearch } from './generation/beam-search.js';
export { greedySearch } from './generation/greedy-search.js';
