import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { resizeForModel } from './fit.js';
import { resizeBilinear, toBytes, type RawPixels } from './resize.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Deterministic noise-like pixels: neighbours differ, so any tap or weight error shows. */
function pixels(width: number, height: number, channels: number): RawPixels {
  const data = Uint8Array.from({ length: width * height * channels }, (_, i) => (i * 73 + ((i * i) % 97) * 13) % 256);
  return { data, width, height, channels };
}

/** TensorFlow's tf.image.resize(img, (h, w)): bilinear, half-pixel centres, no antialias (tfjs cpu kernel). */
function tfResize(src: RawPixels, width: number, height: number): Float32Array {
  return tf.tidy(() => {
    const image = tf.tensor3d(Float32Array.from(src.data), [src.height, src.width, src.channels]);
    return tf.image.resizeBilinear(image, [height, width], false, true).dataSync() as Float32Array;
  });
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('resizeBilinear is tf.image.resize (bilinear, half-pixel centres, no antialias)', () => {
  it.each([
    [70, 46, 32, 32], // the photo whose browser captions differed: down, non-square to square
    [500, 333, 240, 240],
    [46, 70, 299, 299], // up
    [13, 7, 5, 11], // down in x, up in y
    [1, 1, 3, 3],
    [5, 5, 1, 1],
    [64, 48, 64, 48], // same size: the identity
  ])('%i×%i → %i×%i matches tfjs resizeBilinear(halfPixelCenters) within 1e-4', (w, h, ow, oh) => {
    const src = pixels(w, h, 3);
    expect(maxDifference(resizeBilinear(src, { width: ow, height: oh }), tfResize(src, ow, oh))).toBeLessThan(1e-4);
  });

  it('keeps the first channels of RGBA: the RGB of the RGBA resize', () => {
    const rgba = pixels(37, 23, 4);
    const rgb = resizeBilinear(rgba, { width: 16, height: 9 }, 3);
    const all = tfResize(rgba, 16, 9).filter((_, i) => i % 4 !== 3);
    expect(maxDifference(rgb, all)).toBeLessThan(1e-4);
  });

  it('gives back the pixels unchanged at the same size', () => {
    const src = pixels(9, 4, 3);
    expect(toBytes(resizeBilinear(src, { width: 9, height: 4 }))).toEqual(src.data);
  });

  it.each([
    [{ data: new Uint8Array(5), width: 2, height: 1, channels: 3 }, { width: 1, height: 1 }, /need 6 values; got 5/],
    [pixels(2, 2, 3), { width: 0, height: 1 }, /output width and height must be positive integers; got 0×1/],
    [pixels(2, 2, 3), { width: 1, height: 1.5 }, /positive integers; got 1×1.5/],
  ])('refuses bad input %#', (src, size, message) => {
    expect(() => resizeBilinear(src, size)).toThrow(message);
  });
});

describe('toBytes', () => {
  it('rounds halves up and clamps', () => {
    expect([...toBytes([0.49, 0.5, 1.5, 254.6, 255.4, -3, 300])]).toEqual([0, 1, 2, 255, 255, 0, 255]);
  });
});

describe('resizeForModel', () => {
  it('fill: the tf.image.resize values, rounded, RGB only', () => {
    const rgba = pixels(70, 46, 4);
    const expected = toBytes(tfResize(rgba, 32, 32).filter((_, i) => i % 4 !== 3));
    expect(resizeForModel(rgba, { width: 32, height: 32 })).toEqual(expected);
  });

  it('cover: crops the centre to the target aspect ratio, then resizes', () => {
    // 6×2, left third red, middle green, right third blue → 2×2 keeps the green middle only.
    const data = new Uint8Array(6 * 2 * 3);
    for (let y = 0; y < 2; y++)
      for (let x = 0; x < 6; x++) data.set(x < 2 ? [255, 0, 0] : x < 4 ? [0, 255, 0] : [0, 0, 255], (y * 6 + x) * 3);
    const out = resizeForModel({ data, width: 6, height: 2, channels: 3 }, { width: 2, height: 2 }, 'cover');
    expect([...out]).toEqual([0, 255, 0, 0, 255, 0, 0, 255, 0, 0, 255, 0]);
  });

  it('contain: fits inside and pads with black, centred', () => {
    const white = { data: new Uint8Array(4 * 2 * 3).fill(255), width: 4, height: 2, channels: 3 };
    const out = resizeForModel(white, { width: 4, height: 4 }, 'contain');
    const rows = [0, 1, 2, 3].map((y) => out[(y * 4 + 1) * 3]);
    expect(rows).toEqual([0, 255, 255, 0]);
  });

  it('refuses grey input and unknown fit modes', () => {
    expect(() => resizeForModel(pixels(2, 2, 1), { width: 1, height: 1 })).toThrow(/RGB or RGBA/);
    expect(() => resizeForModel(pixels(2, 2, 3), { width: 1, height: 1 }, 'stretch' as never)).toThrow(
      /fit must be one of fill, cover, contain/,
    );
  });
});
