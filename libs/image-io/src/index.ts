export {
  decodeImage,
  DEFAULT_MAX_PIXELS,
  FIT_MODES,
  SUPPORTED_FORMATS,
  type DecodedImage,
  type DecodeOptions,
  type FitMode,
  type ImageFormat,
} from './decode.js';
export {
  HEIC_NOT_SUPPORTED,
  RESIZE_RULE,
  resizeBilinear,
  resizeForModel,
  sniffImageFormat,
  type PixelSize,
  type RawPixels,
  type SniffedFormat,
} from './browser/index.js';
export { ImageDecodeError, type ImageDecodeErrorCode } from './errors.js';
export { readImageFile } from './read-file.js';
