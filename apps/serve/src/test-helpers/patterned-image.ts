import type { DecodedImage } from '@imgcap/image-io';

/** A decoded RGB image with a deterministic pattern per seed: distinct inputs without files or sharp. */
export function patternedImage(seed: number, size = 32): DecodedImage {
  return {
    data: Uint8Array.from({ length: size * size * 3 }, (_, i) => (i * 31 + seed * 97) % 256),
    width: size,
    height: size,
    channels: 3,
    format: 'png',
    originalWidth: size,
    originalHeight: size,
  };
}
