/** The metrics reported, in the order pycocoevalcap's COCOEvalCap prints them (METEOR and SPICE need Java; left out). */
export const METRIC_NAMES = ['BLEU-1', 'BLEU-2', 'BLEU-3', 'BLEU-4', 'ROUGE-L', 'CIDEr-D'] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

export type MetricScores = Record<MetricName, number>;

export interface CaptionScores {
  /** Corpus-level scores, as pycocoevalcap reports them for the whole evaluated set. */
  corpus: MetricScores;
  /** The same metrics for each image id alone (pycocoevalcap's per-image `scores`). */
  perImage: Record<string, MetricScores>;
}

export interface ScoreOptions {
  /**
   * true (default): lowercase and strip punctuation the way pycocoevalcap's PTB tokenizer does (see tokenize.ts).
   * false: captions are already tokenized with single spaces and are scored exactly as given.
   */
  tokenize?: boolean;
}

/** One image as the scorers see it: token strings (tokens joined by single spaces), like PTBTokenizer's output. */
export interface ScoredImage {
  id: string;
  references: readonly string[];
  candidate: string;
}
