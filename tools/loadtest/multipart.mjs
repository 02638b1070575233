// The POST /caption request, built once and replayed by every connection: re-encoding per request would make the
// load generator, not the server, the bottleneck.
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import sharp from 'sharp';

export const DEFAULT_IMAGE = join(import.meta.dirname, '../../libs/image-io/src/fixtures/photo.jpg');

/** Flickr30k photos are mostly 500 px on the long side; a 96×64 fixture would understate the decode cost. */
export const FLICKR_SIZE = { width: 500, height: 375 };

/**
 * A JPEG to upload: `imagePath` as is when given, else the image-io photo fixture scaled to Flickr30k's usual size.
 * Returns the bytes and the file name the server will echo back.
 */
export async function loadUploadImage(imagePath) {
  if (imagePath) return { bytes: await readFile(imagePath), filename: basename(imagePath) };
  const bytes = await sharp(await readFile(DEFAULT_IMAGE))
    .resize(FLICKR_SIZE.width, FLICKR_SIZE.height, { fit: 'fill' })
    .jpeg({ quality: 90 })
    .toBuffer();
  return { bytes, filename: `photo-${FLICKR_SIZE.width}x${FLICKR_SIZE.height}.jpg` };
}

/**
 * Encodes `{ file: image }` as multipart/form-data the way a browser or curl does (undici's FormData picks the
 * boundary), so the server sees exactly what a client sends.
 */
export async function encodeCaptionForm({ bytes, filename }) {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'image/jpeg' }), filename);
  const request = new Request('http://localhost/caption', { method: 'POST', body: form });
  return {
    body: Buffer.from(await request.arrayBuffer()),
    headers: { 'content-type': request.headers.get('content-type') },
  };
}
