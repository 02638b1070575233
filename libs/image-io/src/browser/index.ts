// Browser-safe: no Node built-ins, no sharp. The web page loads these modules as built (served by apps/serve).
export { RESIZE_RULE, resizeBilinear, toBytes, type PixelSize, type RawPixels } from './resize.js';
export { FIT_MODES, resizeForModel, type FitMode } from './fit.js';
export { HEIC_NOT_SUPPORTED, sniffImageFormat, type SniffedFormat } from './sniff.js';
