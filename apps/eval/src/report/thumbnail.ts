import sharp from 'sharp';

/** Longest side of the images embedded in report.html: big enough to read, small enough for 20+ examples. */
export const THUMBNAIL_SIZE = 224;
const MAX_INPUT_PIXELS = 40e6;

/**
 * Re-encodes an image file as a small JPEG data URI (EXIF-oriented, aspect kept), or returns undefined when the
 * file can no longer be read: a report must not fail over one picture.
 */
export async function thumbnailDataUri(path: string, size = THUMBNAIL_SIZE): Promise<string | undefined> {
  try {
    const jpeg = await sharp(path, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error', pages: 1 })
      .autoOrient()
      .resize(size, size, { fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .jpeg({ quality: 80 })
      .toBuffer();
    return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
  } catch {
    return undefined;
  }
}
