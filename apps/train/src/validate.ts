import * as tf from '@tensorflow/tfjs-core';
import { searchTokensOf } from '@imgcap/captioner/generation';
import { type SearchOptions } from '@imgcap/captioner/generation';
import { generateFromFeatures, type CaptionModel } from '@imgcap/captioner/model';
import { type CaptionTrainer } from '@imgcap/captioner/training';
import { scoreCaptions } from '@imgcap/caption-metrics';
import { createBatches, type CaptionExample, type ImageRecord } from '@imgcap/flickr-dataset';
import type { CaptionTokenizer } from '@imgcap/tokenizer';
import type { FeatureStore } from './features.js';

export interface ValidationResult {
  loss: number;
  accuracy: number;
  bleu4: number;
  cider: number;
  /** A few generated captions with their references, for logs and the report. */
  samples: { id: string; caption: string; references: string[] }[];
}

const CAPTION_BATCH = 32;

/** Teacher-forced loss/accuracy over the held-out examples, weighted by batch size. */
export async function heldOutLoss(
  trainer: Pick<CaptionTrainer, 'evaluateAsync'>,
  examples: CaptionExample[],
  store: FeatureStore,
  batchSize: number,
) {
  let loss = 0;
  let accuracy = 0;
  let count = 0;
  for await (const batch of createBatches({
    examples,
    batchSize,
    seed: 0,
    epoch: 0,
    featuresFor: (ids) => store.featuresFor(ids),
  })) {
    const m = await trainer.evaluateAsync(batch);
    loss += m.loss * batch.batchSize;
    accuracy += m.accuracy * batch.batchSize;
    count += batch.batchSize;
  }
  return { loss: count ? loss / count : NaN, accuracy: count ? accuracy / count : NaN };
}

/** Greedy (or beam) captions for images from their cached features. */
export async function captionRecords(
  model: CaptionModel,
  tokenizer: CaptionTokenizer,
  images: ImageRecord[],
  store: FeatureStore,
  search: Partial<SearchOptions> = {},
): Promise<Record<string, string>> {
  const [tokens, channels] = model.config.featureShape;
  const captions: Record<string, string> = {};
  for (let i = 0; i < images.length; i += CAPTION_BATCH) {
    const chunk = images.slice(i, i + CAPTION_BATCH);
    const features = tf.tensor3d(await store.featuresFor(chunk.map((r) => r.id)), [chunk.length, tokens, channels]);
    const hypotheses = await generateFromFeatures(model, features, searchTokensOf(tokenizer), search);
    features.dispose();
    hypotheses.forEach((h, j) => (captions[chunk[j]!.id] = tokenizer.decode(h.tokens)));
  }
  return captions;
}

/** Validation: held-out loss/accuracy, then BLEU-4 and CIDEr-D of greedy captions on a fixed sample. */
export async function validate(
  trainer: Pick<CaptionTrainer, 'evaluateAsync'>,
  model: CaptionModel,
  tokenizer: CaptionTokenizer,
  held: { examples: CaptionExample[]; sample: ImageRecord[] },
  store: FeatureStore,
  batchSize: number,
): Promise<ValidationResult> {
  const { loss, accuracy } = await heldOutLoss(trainer, held.examples, store, batchSize);
  if (held.sample.length === 0) return { loss, accuracy, bleu4: NaN, cider: NaN, samples: [] };
  const candidates = await captionRecords(model, tokenizer, held.sample, store);
  const references = Object.fromEntries(held.sample.map((r) => [r.id, r.captions]));
  const { corpus } = scoreCaptions(references, candidates);
  const samples = held.sample
    .slice(0, 3)
    .map((r) => ({ id: r.id, caption: candidates[r.id]!, references: r.captions }));
  return { loss, accuracy, bleu4: corpus['BLEU-4'], cider: corpus['CIDEr-D'], samples };
}
