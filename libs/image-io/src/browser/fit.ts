import { resizeBilinear, toBytes, type PixelSize, type RawPixels } from './resize.js';

/** How an image reaches the model's size: stretch (`fill`, as Keras `tf.image.resize`), crop (`cover`), letterbox (`contain`). */
export const FIT_MODES = ['fill', 'cover', 'contain'] as const;
export type FitMode = (typeof FIT_MODES)[number];

/** The centred part of `src` with the aspect ratio of `size` (what `cover` keeps), as float values. */
function cropToAspect(src: RawPixels, size: PixelSize): RawPixels {
  const width = Math.min(src.width, Math.max(1, Math.round((src.height * size.width) / size.height)));
  const height = Math.min(src.height, Math.max(1, Math.round((src.width * size.height) / size.width)));
  if (width === src.width && height === src.height) return src;
  const { channels } = src;
  const left = Math.floor((src.width - width) / 2);
  const top = Math.floor((src.height - height) / 2);
  const data = new Float32Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * src.width + left) * channels;
    for (let i = 0; i < width * channels; i++) data[y * width * channels + i] = src.data[from + i]!;
  }
  return { data, width, height, channels };
}

/** `inner` (RGB bytes) centred on a black canvas of `size` (what `contain` gives). */
function letterbox(inner: Uint8Array, innerSize: PixelSize, size: PixelSize): Uint8Array {
  const out = new Uint8Array(size.width * size.height * 3);
  const left = Math.floor((size.width - innerSize.width) / 2);
  const top = Math.floor((size.height - innerSize.height) / 2);
  for (let y = 0; y < innerSize.height; y++) {
    const row = inner.subarray(y * innerSize.width * 3, (y + 1) * innerSize.width * 3);
    out.set(row, ((top + y) * size.width + left) * 3);
  }
  return out;
}

/**
 * RGB bytes (height × width × 3) of `src` at `size`, by imgcap's one resampling rule ({@link resizeBilinear}, then
 * rounded): what the model sees, whoever decoded the image. `src` has at least 3 channels (RGB, RGBA: alpha is
 * ignored). `fill` (default) stretches; `cover` crops the centre to the target's aspect ratio first; `contain`
 * resizes to fit inside and pads with black.
 */
export function resizeForModel(src: RawPixels, size: PixelSize, fit: FitMode = 'fill'): Uint8Array {
  if (src.channels < 3) throw new RangeError(`resizeForModel needs RGB or RGBA pixels; got ${src.channels} channels`);
  if (fit === 'fill') return toBytes(resizeBilinear(src, size, 3));
  if (fit === 'cover') return toBytes(resizeBilinear(cropToAspect(src, size), size, 3));
  if (fit !== 'contain') throw new RangeError(`fit must be one of ${FIT_MODES.join(', ')}; got ${JSON.stringify(fit)}`);
  const scale = Math.min(size.width / src.width, size.height / src.height);
  const inner = {
    width: Math.min(size.width, Math.max(1, Math.round(src.width * scale))),
    height: Math.min(size.height, Math.max(1, Math.round(src.height * scale))),
  };
  return letterbox(toBytes(resizeBilinear(src, inner, 3)), inner, size);
}
