export { buildEfficientNet, type EfficientNetOptions } from './efficientnet.js';
export { countEfficientNetParams, EFFICIENTNET_VARIANTS, type EfficientNetVariant } from './efficientnet-spec.js';
export { assignBackboneWeights, loadBackboneWeights, storedTensor } from './load-weights.js';
export { efficientNetPlan } from './efficientnet-spec.js';
export {
  isKerasWeightsFile,
  readKerasWeightsFile,
  type KerasLayerWeights,
  type StoredVariable,
} from './keras-weights-file.js';
export {
  saveKerasWeightGroups,
  saveKerasWeightsFile,
  type KerasWeightGroup,
  type SaveKerasWeightsOptions,
} from './save-keras-weights.js';
export {
  backboneId,
  backboneSummary,
  type BackboneSummary,
  parseBackboneId,
  type BackboneSpec,
  type EfficientNetBackboneSpec,
  type PatchBackboneSpec,
} from './backbone-spec.js';
export { createFeatureExtractor, type FeatureExtractor } from './feature-extractor.js';
export {
  EFFICIENTNET_WEIGHTS_MD5,
  fetchPinnedFile,
  fileMd5,
  imagenetWeightsFile,
  imgcapWeightsCache,
  KERAS_APPLICATIONS_URL,
  publishedKerasWeightsFile,
  type ImagenetWeights,
  type ImagenetWeightsOptions,
  type PinnedFile,
} from './imagenet-weights.js';
