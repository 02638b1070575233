export { SPLITS, type Split, type ImageRecord, type Dataset, type SplitFractions } from './types.js';
export { DatasetFormatError } from './errors.js';
export { mulberry32, deriveSeed, shuffleInPlace, type SeededRandom } from './prng.js';
export { DEFAULT_SPLIT_FRACTIONS, assignSplitsByImage } from './split.js';
export { readFlickr30kKaggle, type SplitOptions } from './flickr30k-kaggle.js';
export { readKarpathy, type KarpathyFile, type KarpathyImage } from './karpathy.js';
export { readFlickr8k } from './flickr8k.js';
export {
  loadDataset,
  describeDataset,
  DATASET_KINDS,
  type DatasetKind,
  type LoadDatasetOptions,
  type DatasetReport,
  type LoadedDataset,
} from './load-dataset.js';
export { filterCaptions, type FilterResult } from './filter.js';
export {
  createBatches,
  captionExamples,
  batchCount,
  type CaptionExample,
  type CaptionBatch,
  type BatchOptions,
} from './batches.js';
export {
  loadImageBatch,
  RESIZE_RULE,
  type ImageBatch,
  type LoadedImage,
  type SkippedImage,
  type LoadImageOptions,
} from './image-batch.js';
export { generateSyntheticDataset, type SyntheticOptions, type SyntheticResult } from './synthetic/generate.js';
