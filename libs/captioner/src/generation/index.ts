// @imgcap/captioner/generation: greedy and beam search over any decoder session. Browser-safe: no tfjs at run time,
// no Node built-ins (the web page loads this entry point as built).
export { beamSearch } from './beam-search.js';
export { greedySearch } from './greedy-search.js';
export { rowsPerImage, runSearch } from './run-search.js';
export { sampleSearch } from './sample-search.js';
export { DEFAULT_SEARCH_OPTIONS, resolveSearchOptions, type SearchOptions } from './search-options.js';
export type { DecoderSession, Hypothesis, SearchTokens, StepOutput } from './session.js';
export { attentionGridSize, captionResult, searchTokensOf } from './caption-result.js';
