// IEEE 754 half precision for the feature cache (Node 20 has no Float16Array): float32 → float16 rounds to nearest,
// ties to even, as hardware conversion does; overflow becomes ±Infinity, tiny values go subnormal, then to ±0.

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** The float16 bit pattern nearest to `value`. */
export function toHalfBits(value: number): number {
  scratch[0] = value;
  const bits = scratchBits[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  let shift = 13;
  let half = (halfExponent << 10) | (mantissa >>> 13);
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    shift = 14 - halfExponent;
    half = mantissa >>> shift;
  }
  const rest = mantissa & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  // A carry out of the mantissa moves to the next exponent (up to Infinity), which is the right rounding.
  if (rest > halfway || (rest === halfway && (half & 1) === 1)) half++;
  return sign | half;
}

/** The value of a float16 bit pattern. */
export function fromHalfBits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

let table: Float32Array | undefined;

/** Little-endian float16 bytes → float32 values (through a 65,536-entry table). */
export function float16ToFloat32(bytes: Uint8Array): Float32Array {
  table ??= Float32Array.from({ length: 65536 }, (_, bits) => fromHalfBits(bits));
  const out = new Float32Array(bytes.byteLength / 2);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = table[view.getUint16(i * 2, true)]!;
  return out;
}

/** float32 values → little-endian float16 bytes. */
export function float32ToFloat16(values: Float32Array): Buffer {
  const out = Buffer.alloc(values.length * 2);
  for (let i = 0; i < values.length; i++) out.writeUInt16LE(toHalfBits(values[i]!), i * 2);
  return out;
}
