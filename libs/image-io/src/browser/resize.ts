// The one resampling rule imgcap uses to bring an image to the model's input size — in training, evaluation, the
// server and the browser page alike. It is the Keras project's `tf.image.resize(img, (H, W))`: bilinear, half-pixel
// centres, no antialiasing, stretched to the target (no crop, no padding). Plain arithmetic on pixel arrays, so the
// same code runs in Node and in a browser.

/**
 * Names the rule below, for whatever is keyed by how images were prepared (train's feature cache): change it when the
 * rule changes, so features made the old way are not mistaken for new ones.
 */
export const RESIZE_RULE = 'tf-bilinear';

/** Raw pixels, row-major height × width × channels: sharp's `.raw()` output, a canvas's ImageData (RGBA)… */
export interface RawPixels {
  data: ArrayLike<number>;
  width: number;
  height: number;
  channels: number;
}

export interface PixelSize {
  width: number;
  height: number;
}

/** Where each output row (or column) reads from: the two source indices around it and the weight of the second. */
interface Taps {
  lo: Int32Array;
  hi: Int32Array;
  frac: Float64Array;
}

/** Half-pixel centres: output i samples the source at (i + 0.5) × in/out − 0.5, clamped to the edge pixels. */
function taps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float64Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const source = (i + 0.5) * scale - 0.5;
    lo[i] = Math.max(0, Math.floor(source));
    hi[i] = Math.min(inSize - 1, Math.ceil(source));
    // Left of the first centre `source` is negative and lo = hi = 0: the weight multiplies a zero difference.
    frac[i] = source - lo[i]!;
  }
  return { lo, hi, frac };
}

function checkSize(what: string, size: PixelSize): void {
  for (const side of [size.width, size.height]) {
    if (!(Number.isInteger(side) && side > 0)) {
      throw new RangeError(`${what} must be positive integers; got ${size.width}×${size.height}`);
    }
  }
}

function checkPixels(src: RawPixels, channels: number): void {
  checkSize('the source width and height', src);
  if (src.data.length !== src.width * src.height * src.channels) {
    throw new RangeError(
      `${src.width}×${src.height}×${src.channels} pixels need ${src.width * src.height * src.channels} values; got ${src.data.length}`,
    );
  }
  if (!(Number.isInteger(channels) && channels >= 1 && channels <= src.channels)) {
    throw new RangeError(`channels must be 1…${src.channels}; got ${channels}`);
  }
}

/**
 * `src` resized to `size` exactly as TensorFlow's `tf.image.resize(img, (height, width))` (= tfjs
 * `resizeBilinear(img, [height, width], false, true)`): bilinear, half-pixel centres, no antialiasing, aspect ratio
 * not kept. Values as float32, not rounded. `channels` (default: all) keeps only the first ones, e.g. 3 of RGBA.
 */
export function resizeBilinear(src: RawPixels, size: PixelSize, channels = src.channels): Float32Array {
  checkPixels(src, channels);
  checkSize('the output width and height', size);
  const { data, channels: stride } = src;
  const rows = taps(src.height, size.height);
  const cols = taps(src.width, size.width);
  const rowStride = src.width * stride;
  const out = new Float32Array(size.width * size.height * channels);
  let o = 0;
  for (let y = 0; y < size.height; y++) {
    const top = rows.lo[y]! * rowStride;
    const bottom = rows.hi[y]! * rowStride;
    const fy = rows.frac[y]!;
    for (let x = 0; x < size.width; x++) {
      const left = cols.lo[x]! * stride;
      const right = cols.hi[x]! * stride;
      const fx = cols.frac[x]!;
      for (let c = 0; c < channels; c++) {
        const topLeft = data[top + left + c]!;
        const bottomLeft = data[bottom + left + c]!;
        const upper = topLeft + (data[top + right + c]! - topLeft) * fx;
        const lower = bottomLeft + (data[bottom + right + c]! - bottomLeft) * fx;
        out[o++] = upper + (lower - upper) * fy;
      }
    }
  }
  return out;
}

/** Float pixel values as bytes: rounded to the nearest integer (halves up), clamped to 0…255. */
export function toBytes(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) bytes[i] = Math.min(255, Math.max(0, Math.floor(values[i]! + 0.5)));
  return bytes;
}
