import type { CaptionResult, ImageCaptioner } from '@imgcap/captioner/bundle';
import type { SearchOptions } from '@imgcap/captioner/generation';
import { loadImageBatch, type ImageRecord, type SkippedImage } from '@imgcap/flickr-dataset';

/** What the batch loop needs of an image: a name to report it by and where to read it. */
export type ImageSource = Pick<ImageRecord, 'id' | 'path'>;

export interface CaptionedImage<R extends ImageSource = ImageRecord> {
  record: R;
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

/** One batch's outcome, in input order: the images that were captioned and those that could not be read. */
export interface CaptionedBatch<R extends ImageSource> {
  captioned: CaptionedImage<R>[];
  skipped: SkippedImage[];
}

/**
 * The batched captioning loop, one batch at a time: decode + resize to the model's input size, then one
 * `captionImages` call per batch. A missing or undecodable image is logged by name (`options.log`) and skipped; it
 * never stops the run. A generator so a caller can write each batch as it completes (`eval caption-files`).
 */
export async function* captionBatches<R extends ImageSource>(
  captioner: Pick<ImageCaptioner, 'imageSize' | 'captionImages'>,
  records: readonly R[],
  options: Pick<CaptionSplitOptions, 'search' | 'batchSize' | 'log'>,
): AsyncGenerator<CaptionedBatch<R>> {
  for (let first = 0; first < records.length; first += options.batchSize) {
    const slice = records.slice(first, first + options.batchSize);
    const byId = new Map(slice.map((record) => [record.id, record]));
    const batch = await loadImageBatch(slice, captioner.imageSize, { onWarning: (message) => options.log(message) });
    const captioned: CaptionedImage<R>[] = [];
    if (batch.images.length > 0) {
      const results = await captioner.captionImages(batch.images, options.search);
      results.forEach((result, i) => captioned.push({ record: byId.get(batch.images[i].id)!, result }));
    }
    yield { captioned, skipped: batch.skipped };
  }
}

/** Captions a dataset split with `captionBatches`, logging progress after each batch. */
export async function captionSplit(
  captioner: Pick<ImageCaptioner, 'imageSize' | 'captionImages'>,
  records: readonly ImageRecord[],
  options: CaptionSplitOptions,
): Promise<SplitCaptions> {
  const captioned: CaptionedImage[] = [];
  const skipped: SkippedImage[] = [];
  const started = performance.now();
  let done = 0;
  for await (const batch of captionBatches(captioner, records, options)) {
    captioned.push(...batch.captioned);
    skipped.push(...batch.skipped);
    const seconds = (performance.now() - started) / 1000;
    done = Math.min(done + options.batchSize, records.length);
    options.log(`captioned ${done}/${records.length} images (${(captioned.length / seconds).toFixed(2)} captions/s)`);
  }
  return { captioned, skipped, seconds: (performance.now() - started) / 1000 };
}
