import sharp from 'sharp';

/**
 * A deterministic photo-like RGB image: smooth gradients, a few hard edges and fine texture, so that how it is
 * resampled shows in every region (a flat test card would resize the same by any rule).
 */
export function photoLikePixels(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [u, v] = [x / width, y / height];
      const inDisc = (u - 0.6) ** 2 + (v - 0.45) ** 2 < 0.05;
      const texture = ((x * 7 + y * 13) % 17) * 3 + (((x ^ y) & 3) << 2);
      const i = (y * width + x) * 3;
      data[i] = inDisc ? 230 : Math.round(40 + 150 * u) + (texture % 20);
      data[i + 1] = inDisc ? 40 + (texture % 30) : Math.round(200 - 120 * v);
      data[i + 2] = Math.round(90 + 80 * Math.sin(6 * u + 4 * v)) + (x % 9 === 0 ? 30 : 0);
    }
  }
  return data;
}

export function photoLike(width: number, height: number): sharp.Sharp {
  return sharp(photoLikePixels(width, height), { raw: { width, height, channels: 3 } });
}
