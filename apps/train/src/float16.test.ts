import { describe, expect, it } from 'vitest';
import { float16ToFloat32, float32ToFloat16, fromHalfBits, toHalfBits } from './float16.js';

describe('float16', () => {
  it('encodes the format’s landmarks exactly', () => {
    expect(toHalfBits(1)).toBe(0x3c00);
    expect(toHalfBits(-2)).toBe(0xc000);
    expect(toHalfBits(65504)).toBe(0x7bff); // the largest finite half
    expect(toHalfBits(2 ** -14)).toBe(0x0400); // the smallest normal
    expect(toHalfBits(2 ** -24)).toBe(0x0001); // the smallest subnormal
    expect(toHalfBits(0)).toBe(0);
    expect(toHalfBits(-0)).toBe(0x8000);
    expect(toHalfBits(Infinity)).toBe(0x7c00);
    expect(toHalfBits(1e6)).toBe(0x7c00); // overflow
    expect(toHalfBits(2 ** -26)).toBe(0); // below half the smallest subnormal
    expect(Number.isNaN(fromHalfBits(toHalfBits(NaN)))).toBe(true);
  });

  it('rounds to nearest, ties to even', () => {
    expect(toHalfBits(1 + 2 ** -11)).toBe(0x3c00); // a tie, down to the even 1.0
    expect(toHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02); // a tie, up to the even neighbour
    expect(toHalfBits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // above the tie
    expect(toHalfBits(65520)).toBe(0x7c00); // rounds past the largest finite half
    expect(toHalfBits(3 * 2 ** -25)).toBe(0x0002); // a subnormal tie, up to even
  });

  it('round-trips every finite half exactly', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = fromHalfBits(bits);
      if (Number.isNaN(value)) continue;
      expect(toHalfBits(value)).toBe(bits);
    }
  });

  it('keeps normal values within half a unit in the last place (relative error ≤ 2^-11), through bytes', () => {
    const values = Float32Array.from({ length: 10_000 }, (_, i) => Math.sin(i * 12.9898) * 10 ** ((i % 9) - 4));
    const back = float16ToFloat32(float32ToFloat16(values));
    for (let i = 0; i < values.length; i++) {
      if (Math.abs(values[i]!) < 2 ** -14) continue; // subnormals: absolute error ≤ 2^-25 instead
      expect(Math.abs(back[i]! - values[i]!) / Math.abs(values[i]!)).toBeLessThanOrEqual(2 ** -11);
    }
  });
});
