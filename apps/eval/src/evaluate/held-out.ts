import { readBundleDataSplit } from '@imgcap/captioner/bundle';
import { loadDataset, type ImageRecord } from '@imgcap/flickr-dataset';
import type { EvaluateSettings } from './options.js';

/** train's default `--seed`: a bundle that records no split was most likely split with it. */
const TRAIN_DEFAULT_SEED = 42;

/** Where the evaluated split came from, and how many of its images the model trained on (kept in metrics.json). */
export interface HeldOutFacts {
  source: string;
  overlap_with_training: number | null;
}

/**
 * The images of `settings.split` to score. By default the model's own held-out images as its bundle recorded them
 * (`data-split.json`); with `--seed` or `--split_file`, or for another dataset, the split they give. Scoring images
 * the model trained on is refused unless `--allow_training_images`; a bundle that records no split gets a warning.
 */
export async function heldOutRecords(
  settings: EvaluateSettings,
  bundleDir: string,
  log: (line: string) => void,
): Promise<{ records: ImageRecord[]; facts: HeldOutFacts }> {
  const record = await readBundleDataSplit(bundleDir);
  const { dataset: kind, dataDir, splitFile } = settings;
  const explicit = splitFile !== undefined || settings.seed !== undefined;
  const seed = settings.seed ?? record?.seed ?? TRAIN_DEFAULT_SEED;
  const { dataset } = await loadDataset({ dataset: kind, dataDir, splitFile, seed });
  let images = dataset.images;
  let source: string;
  if (record && !explicit && record.dataset === kind) {
    const recorded = new Map<string, ImageRecord['split']>();
    for (const split of ['train', 'val', 'test'] as const)
      for (const id of record.images[split]) recorded.set(id, split);
    images = images.flatMap((image) => (recorded.has(image.id) ? [{ ...image, split: recorded.get(image.id)! }] : []));
    source = `the model's recorded split (${record.source === 'file' ? `split file ${record.splitFile}` : `seeded ${record.seed}`})`;
  } else {
    source = dataset.splitSource === 'file' ? `split file ${splitFile ?? dataDir}` : `seeded ${seed}`;
    if (!record)
      log(
        `warning: ${bundleDir} records no training split; using ${source}. If the model trained on this dataset with another seed or split, some of these images are training images and the scores are inflated.`,
      );
  }
  const inSplit = images.filter((image) => image.split === settings.split);
  if (inSplit.length === 0) {
    const present = [...new Set(images.map((image) => image.split))].sort().join(', ') || 'none';
    throw new Error(`--split ${settings.split}: no images of that split in ${dataDir}; splits present: ${present}`);
  }
  const chosen = settings.limit === undefined ? inSplit : inSplit.slice(0, settings.limit);
  const overlap = record ? countTrainingImages(chosen, record.images.train) : null;
  if (overlap) {
    const message = `${overlap} of the ${chosen.length} ${settings.split} images (${source}) are training images of this model`;
    if (!settings.allowTrainingImages) {
      throw new Error(
        `${message}: their scores would be inflated. Drop --seed/--split_file to score the model's own held-out images, or pass --allow_training_images to score them anyway.`,
      );
    }
    log(`WARNING: ${message}; scoring them anyway (--allow_training_images): the scores are inflated.`);
  }
  return { records: chosen, facts: { source, overlap_with_training: overlap } };
}

function countTrainingImages(images: readonly ImageRecord[], trainIds: readonly string[]): number {
  const train = new Set(trainIds);
  return images.filter((image) => train.has(image.id)).length;
}
