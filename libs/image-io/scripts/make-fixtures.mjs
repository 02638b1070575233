// Regenerates src/fixtures/ (committed): small real files covering every input the decoder must accept or refuse.
// Run: npm run fixtures -w @imgcap/image-io. src/fixtures.test.ts checks each file is what its name says.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

const outDir = join(import.meta.dirname, '..', 'src', 'fixtures');

function pixels(width, height, channels, colourAt) {
  const data = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(colourAt(x, y), (y * width + x) * channels);
  }
  return sharp(data, { raw: { width, height, channels } });
}

const gradient = () => pixels(96, 64, 3, (x, y) => [Math.round((x * 255) / 95), Math.round((y * 255) / 63), 128]);
// Noise keeps the JPEG's entropy-coded body long, so a cut lands in pixel data rather than in the header.
const noise = () => pixels(96, 64, 3, (x, y) => [(x * 37 + y * 91) & 255, (x * y * 13) & 255, ((x ^ y) * 3) & 255]);
// Left half red, right half blue: after a 90° turn the halves become top and bottom.
const halves = () => pixels(96, 64, 3, (x) => (x < 48 ? [255, 0, 0] : [0, 0, 255]));

function pngChunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

// A valid 1-bit greyscale PNG of side² pixels: 400 M pixels from ~50 KB. sharp would take seconds to encode it.
function decompressionBomb(side) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, adaptive filter, no interlace
  const rowBytes = 1 + Math.ceil(side / 8); // filter byte + packed pixels
  const idat = deflateSync(Buffer.alloc(rowBytes * side), { level: 9 });
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    pngChunk('IHDR', header),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

async function animatedGif() {
  const red = Buffer.alloc(8 * 8 * 4);
  const blue = Buffer.alloc(8 * 8 * 4);
  for (let i = 0; i < 64; i++) {
    red.set([255, 0, 0, 255], i * 4);
    blue.set([0, 0, 255, 255], i * 4);
  }
  return sharp(Buffer.concat([red, blue]), { raw: { width: 8, height: 16, channels: 4, pageHeight: 8 } })
    .gif({ delay: [100, 100], loop: 0 })
    .toBuffer();
}

async function build() {
  const noiseJpeg = await noise().jpeg({ quality: 90 }).toBuffer();
  return {
    'photo.jpg': await gradient().jpeg({ quality: 90 }).toBuffer(),
    'photo.png': await gradient().png().toBuffer(),
    'photo.webp': await gradient().webp({ lossless: true }).toBuffer(),
    'grey.png': await pixels(48, 32, 1, (x) => [x * 5])
      .png()
      .toBuffer(),
    'rgba.png': await pixels(32, 32, 4, (x) => [255, 0, 0, x * 8])
      .png()
      .toBuffer(),
    'grey16.png': await pixels(16, 16, 1, () => [128])
      .toColourspace('grey16')
      .png()
      .toBuffer(),
    'rgb16.png': await pixels(16, 16, 3, () => [0, 255, 0])
      .toColourspace('rgb16')
      .png()
      .toBuffer(),
    'cmyk.jpg': await pixels(32, 32, 3, () => [255, 0, 0])
      .toColourspace('cmyk')
      .jpeg({ quality: 95 })
      .toBuffer(),
    'exif-rotated.jpg': await halves().jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer(),
    'animated.gif': await animatedGif(),
    'bomb-20000.png': decompressionBomb(20000),
    'truncated-header.jpg': noiseJpeg.subarray(0, 20),
    'truncated-body.jpg': noiseJpeg.subarray(0, Math.floor(noiseJpeg.length * 0.7)),
    'image.tiff': await gradient().tiff().toBuffer(),
    'vector.svg': Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="red"/></svg>\n',
    ),
    'not-an-image.html': Buffer.from('<!doctype html>\n<html><body><p>Not an image.</p></body></html>\n'),
    'empty.jpg': Buffer.alloc(0),
  };
}

await mkdir(outDir, { recursive: true });
for (const [name, bytes] of Object.entries(await build())) {
  await writeFile(join(outDir, name), bytes);
  console.log(`${name}\t${bytes.length} bytes`);
}
