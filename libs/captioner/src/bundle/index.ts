// @imgcap/captioner/bundle: caption bundles — save, load (as an ImageCaptioner, the contract every engine implements,
// or piece by piece into tfjs), verify, locate, their recorded data split and backbone weights.
export {
  loadBundleParts,
  loadCaptionBundle,
  readBundleManifest,
  saveCaptionBundle,
  verifyBundleFiles,
  writeBundleFiles,
  type BundleContents,
  type BundleParts,
} from './bundle.js';
export { describeBackboneWeights } from './backbone-weights.js';
export { loadModelWeights, saveModelFiles } from './model-files.js';
export { fileChecksums, filesBelow, verifyChecksums } from './checksums.js';
export { BUNDLE_FORMAT, BUNDLE_VERSION, type BundleManifest } from './manifest.js';
export { locateCaptionBundle, RUN_BUNDLE_DIR, type LocatedBundle } from './locate.js';
export { DATA_SPLIT_FILE, readBundleDataSplit, type DataSplitRecord } from './data-split.js';
export { packImages, type CaptionResult, type ImageCaptioner, type RgbImage } from '../pipeline/image-captioner.js';
