import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { fromSharpError, ImageDecodeError } from './errors.js';

/** Container formats accepted; sharp decodes more (SVG, TIFF, HEIF…), but each extra decoder is extra attack surface. */
export const SUPPORTED_FORMATS = ['jpeg', 'png', 'webp', 'gif'] as const;
export type ImageFormat = (typeof SUPPORTED_FORMATS)[number];

export const FIT_MODES = ['fill', 'cover', 'contain'] as const;
export type FitMode = (typeof FIT_MODES)[number];

export interface DecodeOptions {
  /** Output size: a square side or width × height. Omitted: keep the (oriented) original size. */
  size?: number | { width: number; height: number };
  /** Refuse images with more pixels than this before decoding them (decompression bombs). Default 40e6. */
  maxPixels?: number;
  /** How to reach `size`: stretch (`fill`, as Keras `image.resize` does), crop (`cover`) or letterbox (`contain`). */
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

function isSupported(format: string | undefined): format is ImageFormat {
  return (SUPPORTED_FORMATS as readonly string[]).includes(format ?? '');
}

/** Oriented, resized, 8-bit sRGB pixels at the given strictness. */
function decodePixels(
  input: Buffer,
  resolved: ResolvedOptions,
  failOn: 'warning' | 'error',
): Promise<{ data: Buffer; info: OutputInfo }> {
  const image = sharp(input, { limitInputPixels: resolved.maxPixels, failOn, pages: 1 }).autoOrient();
  if (resolved.size) image.resize({ ...resolved.size, fit: resolved.fit });
  return image.removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
}

/**
 * Decodes JPEG/PNG/WebP/GIF bytes to 8-bit sRGB: EXIF orientation applied, alpha dropped, grey/CMYK/16-bit
 * converted, first frame of an animation only. Throws {@link ImageDecodeError} for anything that is not such an image.
 */
export async function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodedImage> {
  const resolved = resolveOptions(options);
  if (bytes.byteLength === 0) throw new ImageDecodeError('empty', 'The image is empty (0 bytes)');
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const image = sharp(input, { limitInputPixels: resolved.maxPixels, failOn: 'error', pages: 1 });

  let metadata: Metadata;
  try {
    metadata = await image.metadata();
  } catch (err) {
    throw fromSharpError(err);
  }
  if (!isSupported(metadata.format)) {
    throw new ImageDecodeError(
      'unsupported_format',
      `Image format ${JSON.stringify(metadata.format)} is not accepted; allowed: ${SUPPORTED_FORMATS.join(', ')}`,
    );
  }
  // pages: 1 keeps sharp to the first frame; this guards the limit for the frame we actually decode.
  if (metadata.width * metadata.height > resolved.maxPixels) {
    throw new ImageDecodeError(
      'too_many_pixels',
      `The image is ${metadata.width}×${metadata.height}; at most ${resolved.maxPixels} pixels are allowed`,
    );
  }

  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await decodePixels(input, resolved, 'warning').catch((err: unknown) => {
      // libjpeg reports data that ends early only as a warning (a header claiming 6000×6000 over 320×240 of data
      // would otherwise decode to grey): that is a truncated image. Other warnings (extraneous bytes between
      // markers, common in camera files) are tolerated: decode again at the usual strictness.
      if (fromSharpError(err).code === 'truncated') throw err;
      return decodePixels(input, resolved, 'error');
    });
  } catch (err) {
    throw fromSharpError(err);
  }
  const { data, info } = decoded;
  if (info.channels !== 3) {
    throw new ImageDecodeError('corrupt', `Decoding gave ${info.channels} channels; expected 3`);
  }
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
    channels: 3,
    format: metadata.format,
    originalWidth: metadata.autoOrient.width,
    originalHeight: metadata.autoOrient.height,
  };
}
