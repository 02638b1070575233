import type { CaptionResult, ImageCaptioner, SearchOptions } from '@imgcap/captioner';
import { loadImageBatch, type ImageRecord, type SkippedImage } from '@imgcap/flickr-dataset';

export interface CaptionedImage {
  record: ImageRecord;
  result: CaptionResult;
}

export interface SplitCaptions {
  captioned: CaptionedImage[];
  skipped: SkippedImage[];
  /** Wall time of decoding plus captioning, so captions/s is what a user of the split would see. */
  seconds: number;
}

export interface CaptionSplitOptions {
  search: Partial<SearchOptions>;
  batchSize: number;
  /** Progress and skipped-image lines (stderr in the CLI). */
  log: (line: string) => void;
}

/**
 * Captions `records` in batches: decode + resize to the model's input size, then one `captionImages` call per
 * batch. A missing or undecodable image is logged by name and skipped; it never stops the run.
 */
export async function captionSplit(
  captioner: Pick<ImageCaptioner, 'imageSize' | 'captionImages'>,
  records: readonly ImageRecord[],
  options: CaptionSplitOptions,
): Promise<SplitCaptions> {
  const byId = new Map(records.map((record) => [record.id, record]));
  const captioned: CaptionedImage[] = [];
  const skipped: SkippedImage[] = [];
  const started = performance.now();
  for (let first = 0; first < records.length; first += options.batchSize) {
    const batch = await loadImageBatch(records.slice(first, first + options.batchSize), captioner.imageSize, {
      onWarning: (message) => options.log(message),
    });
    skipped.push(...batch.skipped);
    if (batch.images.length > 0) {
      const results = await captioner.captionImages(batch.images, options.search);
      results.forEach((result, i) => captioned.push({ record: byId.get(batch.images[i].id)!, result }));
    }
    const seconds = (performance.now() - started) / 1000;
    const done = Math.min(first + options.batchSize, records.length);
    options.log(`captioned ${done}/${records.length} images (${(captioned.length / seconds).toFixed(2)} captions/s)`);
  }
  return { captioned, skipped, seconds: (performance.now() - started) / 1000 };
}
