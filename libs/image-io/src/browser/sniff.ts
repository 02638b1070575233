/** What the first bytes of a file say it is; only the formats imgcap accepts or refuses by name. */
export type SniffedFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'avif' | 'heic';

const AVIF_BRANDS = new Set(['avif', 'avis']);
/** HEVC-coded HEIF (the iPhone camera's HEIC) and generic HEIF brands; AVIF files list `mif1` too, so AVIF is checked first. */
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1']);

/** Says how to get from an iPhone photo to something imgcap reads. */
export const HEIC_NOT_SUPPORTED =
  'HEIC/HEIF images (the iPhone camera’s default format) are not supported: the image decoder here has no HEVC ' +
  'codec. Convert the photo to JPEG first — on the iPhone, Settings → Camera → Formats → Most Compatible makes the ' +
  'camera save JPEG; on a Mac, `sips -s format jpeg photo.heic --out photo.jpg`; on Linux, ' +
  '`heif-convert photo.heic photo.jpg` (libheif).';

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

/** The major and compatible brands of an ISO-BMFF `ftyp` box at the start of `bytes` (empty when there is none). */
function ftypBrands(bytes: Uint8Array): string[] {
  if (bytes.length < 12 || ascii(bytes, 4, 8) !== 'ftyp') return [];
  const boxSize = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  // Major brand at 8, minor version at 12, compatible brands from 16 to the end of the box (a few dozen at most).
  const end = Math.min(bytes.length, boxSize >= 16 ? boxSize : 16, 16 + 4 * 64);
  const brands = [ascii(bytes, 8, 12)];
  for (let at = 16; at + 4 <= end; at += 4) brands.push(ascii(bytes, at, at + 4));
  return brands;
}

/** The image format of `bytes` by its signature, whatever the file is called; undefined for anything else. */
export function sniffImageFormat(bytes: Uint8Array): SniffedFormat | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (ascii(bytes, 0, 8) === '\x89PNG\r\n\x1a\n') return 'png';
  if (/^GIF8[79]a$/.test(ascii(bytes, 0, 6))) return 'gif';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  const brands = ftypBrands(bytes);
  if (brands.some((brand) => AVIF_BRANDS.has(brand))) return 'avif';
  if (brands.some((brand) => HEIC_BRANDS.has(brand))) return 'heic';
  return undefined;
}
