// @imgcap/captioner/model: the caption model and its config (two architectures, ten presets), its decoder sessions
// (key/value cache and full recomputation) and its weight files.
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
} from '../config.js';
export { CaptionModel, LAYER_NAMES } from './caption-model.js';
export { countModelParameters } from './parameter-count.js';
export { CachedDecoderSession } from './cached-session.js';
export { FullDecoderSession } from './full-session.js';
export { generateFromFeatures } from './generate.js';
