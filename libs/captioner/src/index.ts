export {
  ARCHITECTURES,
  architectureOf,
  PRESETS,
  PRESET_NAMES,
  SEED_DROPOUT,
  validateConfig,
  type Architecture,
  type CaptionModelConfig,
  type ModelPreset,
  type ModelShape,
  type PresetName,
  type SeedDropout,
} from './config.js';
export { maskedAccuracy, maskedCrossEntropy } from './loss.js';
export { CaptionModel, LAYER_NAMES } from './model/caption-model.js';
export { countModelParameters } from './model/parameter-count.js';
export { CachedDecoderSession } from './model/cached-session.js';
export { FullDecoderSession } from './model/full-session.js';
export { loadModelWeights, saveModelFiles } from './model/persistence.js';
export { DEFAULT_SEARCH_OPTIONS, resolveSearchOptions, type SearchOptions } from './generation/search-options.js';
export type { DecoderSession, Hypothesis, SearchTokens, StepOutput } from './generation/session.js';
export { beamSearch } from './generation/beam-search.js';
export { greedySearch } from './generation/greedy-search.js';
export { generateFromFeatures } from './generation/generate.js';
export { CaptionTrainer, type StepMetrics, type TrainingBatch } from './training/trainer.js';
export { DataParallelTrainer, type DataParallelOptions } from './training/parallel/data-parallel-trainer.js';
export { attentionGridSize, Captioner, captionResult, SEARCH_TOKENS, searchTokensOf, type CaptionResult, type RgbImage } from './pipeline/captioner.js';
export type { ImageCaptioner } from './pipeline/image-captioner.js';
export { loadCaptionBundle, readBundleManifest, saveCaptionBundle, verifyBundleFiles, writeBundleFiles, type BundleContents } from './bundle/bundle.js';
export { fileChecksums, filesBelow, verifyChecksums } from './bundle/checksums.js';
export { BUNDLE_FORMAT, BUNDLE_VERSION, type BundleManifest } from './bundle/manifest.js';
export { DATA_SPLIT_FILE, readBundleDataSplit, type DataSplitRecord } from './bundle/data-split.js';
export { importKerasCaptioner, readTrialConfig, type KerasImportSources, type SeedTrialConfig } from './keras-import/import-keras-model.js';
export { saveSeedKerasWeights } from './keras-import/save-seed-keras-weights.js';
