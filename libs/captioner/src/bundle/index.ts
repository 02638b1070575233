// @imgcap/captioner/bundle: caption bundles (save, load, verify, their recorded data split) and the tfjs captioner
// they load into, behind the ImageCaptioner contract every engine implements.
export {
  loadCaptionBundle,
  readBundleManifest,
  saveCaptionBundle,
  verifyBundleFiles,
  writeBundleFiles,
  type BundleContents,
} from './bundle.js';
export { describeBackboneWeights } from './backbone-weights.js';
export { fileChecksums, filesBelow, verifyChecksums } from './checksums.js';
export { BUNDLE_FORMAT, BUNDLE_VERSION, type BundleManifest } from './manifest.js';
export { locateCaptionBundle, RUN_BUNDLE_DIR, type LocatedBundle } from './locate.js';
export { DATA_SPLIT_FILE, readBundleDataSplit, type DataSplitRecord } from './data-split.js';
export {
  attentionGridSize,
  Captioner,
  captionResult,
  SEARCH_TOKENS,
  searchTokensOf,
  type CaptionResult,
  type RgbImage,
} from '../pipeline/captioner.js';
export type { ImageCaptioner } from '../pipeline/image-captioner.js';
