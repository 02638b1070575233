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
export { ImageDecodeError, type ImageDecodeErrorCode } from './errors.js';
export { readImageFile } from './read-file.js';
