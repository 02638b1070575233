// @imgcap/captioner: use the entry point you mean — `/model` (the network, its config, presets and tfjs generation;
// browser-safe with tfjs), `/generation` (greedy, beam and sampled search, caption results; browser-safe, no tfjs),
// `/training` (the trainers), `/bundle` (caption bundles and weight files; loads a bundle as an ImageCaptioner, the
// tfjs implementation staying private), `/keras` (the Keras project's files in and out). The root keeps the one-call
// path only, as tfjs-models' packages are a `load()` and an interface: load a bundle, caption with it.
export { loadCaptionBundle, readBundleManifest } from './bundle/bundle.js';
export type { BundleManifest } from './bundle/manifest.js';
export type { CaptionModelConfig } from './config.js';
export type { SearchOptions } from './generation/search-options.js';
export type { CaptionResult, ImageCaptioner, RgbImage } from './pipeline/image-captioner.js';
