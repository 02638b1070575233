import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readImageFixture } from '../test-helpers/fixtures.js';
import { heicHeader } from '../test-helpers/heic.js';
import { sniffImageFormat } from './sniff.js';

function ftyp(major: string, ...compatible: string[]): Uint8Array {
  const brands = [major, '\0\0\0\0', ...compatible].join('');
  const size = 8 + brands.length;
  return Uint8Array.from([0, 0, 0, size, ...Buffer.from(`ftyp${brands}`, 'latin1'), 0, 0, 0, 8]);
}

describe('sniffImageFormat', () => {
  it.each([
    ['jpeg', 'jpeg'],
    ['png', 'png'],
    ['webp', 'webp'],
    ['animatedGif', 'gif'],
    ['svg', undefined],
    ['tiff', undefined],
    ['empty', undefined],
  ] as const)('fixture %s → %s', async (name, format) => {
    expect(sniffImageFormat(await readImageFixture(name))).toBe(format);
  });

  it('tells AVIF (sharp-encoded) from HEIC by the ftyp brands', async () => {
    const avif = await sharp(await readImageFixture('png'))
      .avif()
      .toBuffer();
    expect(sniffImageFormat(avif)).toBe('avif');
    expect(sniffImageFormat(ftyp('avis', 'msf1', 'avif'))).toBe('avif');
    expect(sniffImageFormat(ftyp('mif1', 'miaf', 'avif'))).toBe('avif');
    expect(sniffImageFormat(heicHeader())).toBe('heic');
    for (const brand of ['heic', 'heix', 'hevc', 'mif1']) expect(sniffImageFormat(ftyp(brand))).toBe('heic');
    expect(sniffImageFormat(ftyp('isom', 'mp41'))).toBeUndefined(); // an MP4 video
    expect(sniffImageFormat(Uint8Array.from([0, 0, 0, 24, 0x66, 0x74]))).toBeUndefined(); // cut short
  });
});
