export { CiderReward } from './cider-reward.js';
export { scoreCaptions } from './score.js';
export { tokenizeCaption } from './tokenize.js';
export { METRIC_NAMES } from './types.js';
export type { CaptionScores, MetricName, MetricScores, ScoreOptions } from './types.js';
