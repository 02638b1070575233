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
export { IMAGE_ERRORS, ImageDecodeError, type ImageDecodeErrorCode } from './errors.js';
export { DEFAULT_MAX_FILE_BYTES, readImageFile, type ReadImageOptions } from './read-file.js';
