import sharp, { type Metadata } from 'sharp';
import { FIT_MODES, resizeForModel, type FitMode } from './browser/fit.js';
import { HEIC_NOT_SUPPORTED, sniffImageFormat } from './browser/sniff.js';
import { fromSharpError, ImageDecodeError } from './errors.js';

/**
 * Container formats accepted; sharp decodes more (SVG, TIFF…), but each extra decoder is extra attack surface. HEIC
 * (HEVC-coded HEIF, the iPhone's default) is refused with advice: sharp's prebuilt libvips has no HEVC decoder.
 */
export const SUPPORTED_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'avif'] as const;
export type ImageFormat = (typeof SUPPORTED_FORMATS)[number];

export { FIT_MODES, type FitMode };

export interface DecodeOptions {
  /** Output size: a square side or width × height. Omitted: keep the (oriented) original size. */
  size?: number | { width: number; height: number };
  /** Refuse images with more pixels than this before decoding them (decompression bombs). Default 40e6. */
  maxPixels?: number;
  /**
   * How to reach `size`: stretch (`fill`, as Keras `tf.image.resize` does), crop (`cover`) or letterbox (`contain`).
   * Every mode resamples by `resizeForModel` (bilinear, half-pixel centres, no antialiasing), as the web page does.
   */
  fit?: FitMode;
}

/** 8-bit sRGB pixels, row-major height × width × 3 (HWC), as a CNN backbone expects them. */
export interface DecodedImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3;
  format: ImageFormat;
  /** Size before resizing, after EXIF orientation (what a viewer displays). */
  originalWidth: number;
  originalHeight: number;
}

export const DEFAULT_MAX_PIXELS = 40e6;

interface ResolvedOptions {
  size: { width: number; height: number } | undefined;
  maxPixels: number;
  fit: FitMode;
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function resolveOptions(options: DecodeOptions): ResolvedOptions {
  const { size, maxPixels = DEFAULT_MAX_PIXELS, fit = 'fill' } = options;
  if (!(typeof maxPixels === 'number' && maxPixels > 0)) {
    throw new RangeError(`maxPixels must be a positive number; got ${String(maxPixels)}`);
  }
  if (!FIT_MODES.includes(fit)) {
    throw new RangeError(`fit must be one of ${FIT_MODES.join(', ')}; got ${JSON.stringify(fit)}`);
  }
  if (size === undefined) return { size: undefined, maxPixels, fit };
  const box = typeof size === 'number' ? { width: size, height: size } : size;
  if (!isPositiveInteger(box?.width) || !isPositiveInteger(box?.height)) {
    throw new RangeError(`size must be a positive integer or { width, height } of them; got ${JSON.stringify(size)}`);
  }
  return { size: { width: box.width, height: box.height }, maxPixels, fit };
}

/** The format sharp found, AVIF told apart from HEIC (sharp calls both `heif`; only the codec differs). */
function formatOf(metadata: Metadata): string | undefined {
  if (metadata.format !== 'heif') return metadata.format;
  return metadata.compression === 'av1' ? 'avif' : 'heic';
}

function checkFormat(format: string | undefined): asserts format is ImageFormat {
  if (format === 'heic') throw new ImageDecodeError('unsupported_format', HEIC_NOT_SUPPORTED, { format });
  if (!(SUPPORTED_FORMATS as readonly string[]).includes(format ?? '')) {
    throw new ImageDecodeError(
      'unsupported_format',
      `Image format ${JSON.stringify(format)} is not accepted; allowed: ${SUPPORTED_FORMATS.join(', ')}`,
      { format },
    );
  }
}

/** Oriented 8-bit sRGB pixels at the original size, at the given strictness. */
function decodePixels(input: Buffer, maxPixels: number, failOn: 'warning' | 'error') {
  const image = sharp(input, { limitInputPixels: maxPixels, failOn, pages: 1 }).autoOrient();
  return image.removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
}

/** Decodes at the original size (a lenient pass when the strict one only warned); resizing is not sharp's job. */
async function decodeOriginal(input: Buffer, maxPixels: number) {
  try {
    return await decodePixels(input, maxPixels, 'warning').catch((err: unknown) => {
      // libjpeg reports data that ends early only as a warning (a header claiming 6000×6000 over 320×240 of data
      // would otherwise decode to grey): that is a truncated image. Other warnings (extraneous bytes between
      // markers, common in camera files) are tolerated: decode again at the usual strictness.
      if (fromSharpError(err).code === 'truncated') throw err;
      return decodePixels(input, maxPixels, 'error');
    });
  } catch (err) {
    throw fromSharpError(err);
  }
}

/**
 * Decodes JPEG/PNG/WebP/GIF/AVIF bytes to 8-bit sRGB: EXIF orientation applied, alpha dropped, grey/CMYK/16-bit
 * converted, first frame of an animation only; then, given a `size`, resized by `resizeForModel` (the rule the web
 * page applies to the pixels its canvas decodes). Throws {@link ImageDecodeError} for anything that is not such an
 * image, HEIC with advice on converting it.
 */
export async function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodedImage> {
  const resolved = resolveOptions(options);
  if (bytes.byteLength === 0) throw new ImageDecodeError('empty', 'The image is empty (0 bytes)');
  // Before sharp: a HEIC header alone (what a cut iPhone upload may be) should still get the advice.
  if (sniffImageFormat(bytes) === 'heic') checkFormat('heic');
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let metadata: Metadata;
  try {
    metadata = await sharp(input, { limitInputPixels: resolved.maxPixels, failOn: 'error', pages: 1 }).metadata();
  } catch (err) {
    throw fromSharpError(err);
  }
  const format = formatOf(metadata);
  checkFormat(format);
  // pages: 1 keeps sharp to the first frame; this guards the limit for the frame we actually decode.
  if (metadata.width * metadata.height > resolved.maxPixels) {
    throw new ImageDecodeError(
      'too_many_pixels',
      `The image is ${metadata.width}×${metadata.height}; at most ${resolved.maxPixels} pixels are allowed`,
    );
  }
  const { data, info } = await decodeOriginal(input, resolved.maxPixels);
  if (info.channels !== 3) {
    throw new ImageDecodeError('corrupt', `Decoding gave ${info.channels} channels; expected 3`);
  }
  const original = { data, width: info.width, height: info.height, channels: 3 };
  const pixels = resolved.size ? resizeForModel(original, resolved.size, resolved.fit) : data;
  return {
    data: new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength),
    width: resolved.size?.width ?? info.width,
    height: resolved.size?.height ?? info.height,
    channels: 3,
    format,
    originalWidth: metadata.autoOrient.width,
    originalHeight: metadata.autoOrient.height,
  };
}
