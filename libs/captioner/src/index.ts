// @imgcap/captioner: use the entry point you mean — `/model` (the network, its config and presets), `/generation`
// (greedy, beam and sampled search; browser-safe), `/training` (the trainers), `/bundle` (caption bundles and the tfjs
// captioner behind the ImageCaptioner contract), `/keras` (the Keras project's files in and out). The root keeps the
// one-call path only, as tfjs-models' packages are a `load()` and an interface: load a bundle, caption with it.
export { loadCaptionBundle, readBundleManifest } from './bundle/bundle.js';
export type { BundleManifest } from './bundle/manifest.js';
export type { CaptionModelConfig } from './config.js';
export type { SearchOptions } from './generation/search-options.js';
export type { CaptionResult, ImageCaptioner, RgbImage } from './pipeline/image-captioner.js';
