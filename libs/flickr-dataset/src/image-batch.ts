import { ImageDecodeError, readImageFile, type DecodeOptions } from '@imgcap/image-io';
import type { ImageRecord } from './types.js';

/** How loadImageBatch resizes images (image-io's one rule, as the server and the web page): a cache key's part. */
export { RESIZE_RULE } from '@imgcap/image-io';

export interface LoadedImage {
  id: string;
  /** RGB, HWC, uint8. */
  data: Uint8Array;
  width: number;
  height: number;
}

export interface SkippedImage {
  id: string;
  reason: string;
}

export interface ImageBatch {
  images: LoadedImage[];
  skipped: SkippedImage[];
}

export interface LoadImageOptions {
  /** Called once per skipped image, e.g. to log it; skipping never throws. */
  onWarning?: (message: string, skipped: SkippedImage) => void;
  maxPixels?: number;
}

async function loadOne(
  record: Pick<ImageRecord, 'id' | 'path'>,
  options: DecodeOptions,
): Promise<LoadedImage | SkippedImage> {
  try {
    const { data, width, height } = await readImageFile(record.path, options);
    return { id: record.id, data, width, height };
  } catch (error) {
    // Bad files (refused by readImageFile: missing, not regular, too large, undecodable) are skipped, under the
    // codes the server answers with; anything else, such as an invalid `size`, is a caller bug and still throws.
    if (!(error instanceof ImageDecodeError)) throw error;
    return { id: record.id, reason: `${error.publicCode}: ${error.detail}` };
  }
}

/**
 * Reads and decodes a batch of images. A missing, unreadable or undecodable image is skipped and
 * reported by id instead of failing the batch, so one bad file cannot stop an epoch.
 */
export async function loadImageBatch(
  records: readonly Pick<ImageRecord, 'id' | 'path'>[],
  size: number | { width: number; height: number },
  options: LoadImageOptions = {},
): Promise<ImageBatch> {
  const results = await Promise.all(records.map((record) => loadOne(record, { size, maxPixels: options.maxPixels })));
  const batch: ImageBatch = { images: [], skipped: [] };
  for (const result of results) {
    if ('data' in result) {
      batch.images.push(result);
    } else {
      batch.skipped.push(result);
      options.onWarning?.(`skipping image ${result.id}: ${result.reason}`, result);
    }
  }
  return batch;
}
