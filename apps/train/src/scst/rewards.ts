import { CiderReward } from '@imgcap/caption-metrics';
import type { ImageRecord } from '@imgcap/flickr-dataset';
import type { CaptionTokenizer } from '@imgcap/tokenizer';

/**
 * The reward of self-critical training: CIDEr-D of a sampled caption against its image's training references, with
 * document frequencies taken once over the whole training split. Captions are compared as word ids (the model's
 * own vocabulary, unknown words as one id), so a reward needs no detokenizing; ids joined by spaces are the tokens.
 */
export class ScstRewards {
  private readonly reward: CiderReward;
  private readonly index = new Map<string, number>();

  constructor(images: readonly ImageRecord[], tokenizer: CaptionTokenizer) {
    images.forEach((image, i) => this.index.set(image.id, i));
    this.reward = new CiderReward(images.map((image) => image.captions.map((c) => tokenizer.encodeWords(c).join(' '))));
  }

  /** CIDEr-D of word ids `words` (no markers) for image `imageId`. */
  score(imageId: string, words: readonly number[]): number {
    const image = this.index.get(imageId);
    if (image === undefined) throw new Error(`SCST reward: image ${imageId} is not in the training split`);
    return this.reward.score(image, words.join(' '));
  }
}

/** How a sample's reward is judged: against the mean of the image's other samples, or its greedy caption's. */
export type ScstBaseline = 'mean' | 'greedy';

/**
 * Baseline of every sample, image by image (`k` samples each): 'mean' takes the mean reward of the image's other
 * k − 1 samples (leave-one-out, no extra decoding); 'greedy' takes the reward of the image's greedy caption.
 */
export function baselines(rewards: readonly number[], k: number, greedyRewards?: readonly number[]): number[] {
  return rewards.map((_, i) => {
    const image = Math.floor(i / k);
    if (greedyRewards) return greedyRewards[image]!;
    let others = 0;
    for (let j = image * k; j < (image + 1) * k; j++) if (j !== i) others += rewards[j]!;
    return others / (k - 1);
  });
}
