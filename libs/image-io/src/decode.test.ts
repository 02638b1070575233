import sharp from 'sharp';
import { describe, it, expect } from 'vitest';
import {
  decodeImage,
  ImageDecodeError,
  resizeForModel,
  type DecodedImage,
  type ImageDecodeErrorCode,
} from './index.js';
import { heicHeader, readImageFixture, type ImageFixtureName } from './test-helpers/fixtures.js';

function pixelAt(image: DecodedImage, x: number, y: number): number[] {
  const offset = (y * image.width + x) * 3;
  return [...image.data.subarray(offset, offset + 3)];
}

async function decodeFixture(name: ImageFixtureName, options?: Parameters<typeof decodeImage>[1]) {
  return decodeImage(await readImageFixture(name), options);
}

async function refusal(name: ImageFixtureName): Promise<ImageDecodeError> {
  const error = await decodeFixture(name).catch((err: unknown) => err);
  expect(error).toBeInstanceOf(ImageDecodeError);
  return error as ImageDecodeError;
}

describe('decodeImage: accepted inputs become 8-bit sRGB HWC', () => {
  it.each([
    ['jpeg', 'jpeg'],
    ['png', 'png'],
    ['webp', 'webp'],
  ] as const)('%s keeps its size and gradient', async (name, format) => {
    const image = await decodeFixture(name);
    expect(image).toMatchObject({ width: 96, height: 64, channels: 3, format, originalWidth: 96, originalHeight: 64 });
    expect(image.data.length).toBe(96 * 64 * 3);
    const [left, right] = [pixelAt(image, 0, 32), pixelAt(image, 95, 32)];
    expect(left[0]).toBeLessThan(10);
    expect(right[0]).toBeGreaterThan(245);
    expect(Math.abs(left[2] - 128)).toBeLessThan(8);
  });

  it('decodes AVIF (encoded here by sharp), lossy and lossless', async () => {
    for (const lossless of [false, true]) {
      const avif = await sharp(await readImageFixture('png'))
        .avif({ lossless })
        .toBuffer();
      const image = await decodeImage(avif);
      expect(image).toMatchObject({ width: 96, height: 64, format: 'avif', originalWidth: 96, originalHeight: 64 });
      expect(pixelAt(image, 0, 32)[0]).toBeLessThan(12);
      expect(pixelAt(image, 95, 32)[0]).toBeGreaterThan(243);
    }
  });

  it('expands greyscale to three equal channels', async () => {
    const image = await decodeFixture('greyPng');
    expect(image.data.length).toBe(48 * 32 * 3);
    expect(pixelAt(image, 10, 5)).toEqual([50, 50, 50]);
  });

  it('drops alpha without flattening colour', async () => {
    const image = await decodeFixture('rgbaPng');
    expect(image.data.length).toBe(32 * 32 * 3);
    expect(pixelAt(image, 0, 0)).toEqual([255, 0, 0]);
  });

  it.each([
    ['grey16Png', [128, 128, 128]],
    ['rgb16Png', [0, 255, 0]],
  ] as const)('scales 16-bit %s to 8 bits', async (name, expected) => {
    const image = await decodeFixture(name);
    expect(image.data.length).toBe(16 * 16 * 3);
    expect(pixelAt(image, 3, 3)).toEqual(expected);
  });

  it('converts CMYK JPEG to sRGB', async () => {
    const [r, g, b] = pixelAt(await decodeFixture('cmykJpeg'), 16, 16);
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(60);
    expect(b).toBeLessThan(60);
  });

  it('applies EXIF orientation 6: sides swap and the left half turns into the top half', async () => {
    const image = await decodeFixture('exifRotatedJpeg');
    expect(image).toMatchObject({ width: 64, height: 96, originalWidth: 64, originalHeight: 96 });
    const [top, bottom] = [pixelAt(image, 60, 2), pixelAt(image, 60, 93)];
    expect(top[0]).toBeGreaterThan(200);
    expect(top[2]).toBeLessThan(60);
    expect(bottom[2]).toBeGreaterThan(200);
    expect(bottom[0]).toBeLessThan(60);
  });

  it('reads only the first frame of an animated GIF', async () => {
    const image = await decodeFixture('animatedGif');
    expect(image).toMatchObject({ width: 8, height: 8, format: 'gif' });
    expect(image.data.length).toBe(8 * 8 * 3);
    expect(pixelAt(image, 4, 4)).toEqual([255, 0, 0]);
  });
});

describe('decodeImage: resizing', () => {
  it('stretches to a square with fit fill and reports the original size', async () => {
    const image = await decodeFixture('jpeg', { size: 32 });
    expect(image).toMatchObject({ width: 32, height: 32, originalWidth: 96, originalHeight: 64 });
    expect(image.data.length).toBe(32 * 32 * 3);
  });

  it('resizes by resizeForModel (tf.image.resize bilinear) from the pixels decoded at full size', async () => {
    const original = await decodeFixture('png');
    const size = { width: 29, height: 17 };
    const resized = await decodeFixture('png', { size });
    expect(resized.data).toEqual(resizeForModel({ ...original, channels: 3 }, size));
    // A decoder that resizes itself (sharp's lanczos3, a canvas) gives other pixels; here only the rule above does.
    const lanczos = await sharp(await readImageFixture('png'))
      .resize({ ...size, fit: 'fill' })
      .raw()
      .toBuffer();
    expect(Buffer.from(resized.data).equals(lanczos)).toBe(false);
  });

  it('honours width × height and letterboxes with contain', async () => {
    const image = await decodeFixture('exifRotatedJpeg', { size: { width: 40, height: 20 }, fit: 'contain' });
    expect([image.width, image.height]).toEqual([40, 20]);
    // The 64×96 portrait fits as ~13×20 in the middle: the far left column is padding (black), not red.
    expect(pixelAt(image, 0, 2)).toEqual([0, 0, 0]);
    expect(pixelAt(image, 20, 2)[0]).toBeGreaterThan(200);
  });

  it('crops with cover', async () => {
    const image = await decodeFixture('exifRotatedJpeg', { size: 32, fit: 'cover' });
    // Centre crop of top-red/bottom-blue keeps both colours.
    expect(pixelAt(image, 16, 0)[0]).toBeGreaterThan(200);
    expect(pixelAt(image, 16, 31)[2]).toBeGreaterThan(200);
  });

  it.each([
    [{ size: 0 }, /size must be a positive integer/],
    [{ size: { width: 10, height: 2.5 } }, /size must be a positive integer.*2\.5/],
    [{ fit: 'stretch' as never }, /fit must be one of fill, cover, contain; got "stretch"/],
    [{ maxPixels: -1 }, /maxPixels must be a positive number; got -1/],
  ])('rejects bad options %o naming the value', async (options, message) => {
    await expect(decodeFixture('jpeg', options)).rejects.toThrow(message);
  });
});

describe('decodeImage: refusals carry a code', () => {
  it.each([
    ['empty', 'empty'],
    ['html', 'unsupported_format'],
    ['svg', 'unsupported_format'],
    ['tiff', 'unsupported_format'],
    ['pngBomb', 'too_many_pixels'],
    ['truncatedHeaderJpeg', 'corrupt'],
    ['truncatedBodyJpeg', 'truncated'],
  ] as [ImageFixtureName, ImageDecodeErrorCode][])('%s → %s', async (name, code) => {
    expect((await refusal(name)).code).toBe(code);
  });

  it('names the refused format and the allowed ones', async () => {
    const error = await refusal('svg');
    expect(error.message).toBe('Image format "svg" is not accepted; allowed: jpeg, png, webp, gif, avif');
    expect(error.format).toBe('svg');
  });

  it('refuses an iPhone HEIC with how to convert it, before sharp reads it', async () => {
    const error = await decodeImage(heicHeader()).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ImageDecodeError);
    expect(error).toMatchObject({ code: 'unsupported_format', format: 'heic' });
    const { message } = error as ImageDecodeError;
    expect(message).toMatch(/^HEIC\/HEIF images \(the iPhone camera’s default format\) are not supported/);
    expect(message).toContain('Settings → Camera → Formats → Most Compatible');
    expect(message).toContain('sips -s format jpeg');
    expect(message).toContain('heif-convert');
  });

  it('refuses the 20000² bomb before decoding it', async () => {
    const started = performance.now();
    await refusal('pngBomb');
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('applies a caller-chosen pixel limit', async () => {
    const error = await decodeFixture('jpeg', { maxPixels: 96 * 64 - 1 }).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'too_many_pixels' });
    await expect(decodeFixture('jpeg', { maxPixels: 96 * 64 })).resolves.toMatchObject({ width: 96 });
  });

  it('decodes a view into a larger buffer using only its own bytes', async () => {
    const jpeg = await readImageFixture('jpeg');
    const padded = new Uint8Array(jpeg.length + 20);
    padded.set(jpeg, 10);
    const image = await decodeImage(padded.subarray(10, 10 + jpeg.length));
    expect([image.width, image.height]).toEqual([96, 64]);
  });
});

describe('decodeImage: JPEG data that ends before its header says', () => {
  /** photo.jpg (96×64) with its frame header rewritten to claim width × height. */
  async function lyingHeader(width: number, height: number): Promise<Buffer> {
    const bytes = Buffer.from(await readImageFixture('jpeg'));
    const sof = bytes.findIndex((b, i) => b === 0xff && (bytes[i + 1] === 0xc0 || bytes[i + 1] === 0xc2));
    bytes.writeUInt16BE(height, sof + 5);
    bytes.writeUInt16BE(width, sof + 7);
    return bytes;
  }

  it('is truncated, not a grey picture, when the header claims 6000×6000 over a 96×64 image', async () => {
    const error = await decodeImage(await lyingHeader(6000, 6000), { size: 240 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageDecodeError);
    expect((error as ImageDecodeError).code).toBe('truncated');
  });

  it('still decodes a complete JPEG that libjpeg only warns about (extraneous bytes before a marker)', async () => {
    const bytes = Buffer.from(await readImageFixture('jpeg'));
    const end = bytes.lastIndexOf(Buffer.from([0xff, 0xd9]));
    const padded = Buffer.concat([bytes.subarray(0, end), Buffer.from([0x00, 0x00, 0x00]), bytes.subarray(end)]);
    const image = await decodeImage(padded, { size: 32 });
    expect([image.width, image.height, image.originalWidth]).toEqual([32, 32, 96]);
  });
});
