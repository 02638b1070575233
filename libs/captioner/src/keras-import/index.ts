// @imgcap/captioner/keras: the Keras project's trained models in and out (its save_weights .h5 layout).
export {
  importKerasCaptioner,
  readTrialConfig,
  type KerasImportSources,
  type SeedTrialConfig,
} from './import-keras-model.js';
export { saveSeedKerasWeights } from './save-seed-keras-weights.js';
