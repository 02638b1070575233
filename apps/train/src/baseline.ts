import { scoreCaptions, type MetricScores } from '@imgcap/caption-metrics';
import type { ImageRecord } from '@imgcap/flickr-dataset';
import { standardize } from '@imgcap/tokenizer';

/**
 * The best constant caption: among the most frequent training captions, the one that scores the
 * highest CIDEr-D when used for every image of (a sample of) the training set. A model that does not
 * look at the image can do no better than this, so it is the bar a captioner must clear.
 */
export function bestConstantCaption(train: ImageRecord[], { candidates = 40, sample = 300 } = {}): string {
  const counts = new Map<string, number>();
  for (const image of train)
    for (const caption of image.captions) {
      const text = standardize(caption);
      counts.set(text, (counts.get(text) ?? 0) + 1);
    }
  const frequent = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, candidates)
    .map(([text]) => text);
  const images = train.slice(0, sample);
  const references = Object.fromEntries(images.map((r) => [r.id, r.captions]));
  let best = { caption: frequent[0] ?? '', cider: -Infinity };
  for (const caption of frequent) {
    const { corpus } = scoreCaptions(references, Object.fromEntries(images.map((r) => [r.id, caption])));
    if (corpus['CIDEr-D'] > best.cider) best = { caption, cider: corpus['CIDEr-D'] };
  }
  return best.caption;
}

/** Scores one caption used for every image. */
export function scoreConstant(images: ImageRecord[], caption: string): MetricScores {
  const references = Object.fromEntries(images.map((r) => [r.id, r.captions]));
  return scoreCaptions(references, Object.fromEntries(images.map((r) => [r.id, caption]))).corpus;
}
