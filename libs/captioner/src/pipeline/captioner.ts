import * as tf from '@tensorflow/tfjs-core';
import { SPECIAL_IDS_NOT_IN_CAPTIONS, SpecialTokens, type CaptionTokenizer } from '@imgcap/tokenizer';
import type { FeatureExtractor } from '@imgcap/vision-backbone';
import type { BundleManifest } from '../bundle/manifest.js';
import { generateFromFeatures } from '../generation/generate.js';
import type { SearchOptions } from '../generation/search-options.js';
import type { Hypothesis, SearchTokens } from '../generation/session.js';
import type { CaptionModel } from '../model/caption-model.js';
import type { Architecture } from '../config.js';
import type { CaptionResult, ImageCaptioner, RgbImage } from './image-captioner.js';

// The contract owns the types its implementations return; re-exported here for existing imports.
export type { CaptionResult, RgbImage } from './image-captioner.js';

/** The search tokens of imgcap's own tokenizer (`WordTokenizer`); `searchTokensOf` gives any tokenizer's. */
export const SEARCH_TOKENS: SearchTokens = searchTokensOf({
  markers: SpecialTokens,
  bannedInCaptions: SPECIAL_IDS_NOT_IN_CAPTIONS,
});

/** Where a caption starts and ends, and what it never contains, under `tokenizer`'s vocabulary. */
export function searchTokensOf(tokenizer: Pick<CaptionTokenizer, 'markers' | 'bannedInCaptions'>): SearchTokens {
  return { start: tokenizer.markers.start, end: tokenizer.markers.end, banned: [...tokenizer.bannedInCaptions] };
}

/** The captioning pipeline: pixels → frozen backbone → encoder → greedy/beam decoding → words. */
/** Rows × columns of the image grid a word's attention covers: square when the token count is, else one row. */
export function attentionGridSize(gridTokens: number): [number, number] {
  const side = Math.round(Math.sqrt(gridTokens));
  return side * side === gridTokens ? [side, side] : [1, gridTokens];
}

/** A search hypothesis as the result every engine returns (words, caption, scores, attention and its grid). */
export function captionResult(h: Hypothesis, tokenizer: CaptionTokenizer, gridTokens: number): CaptionResult {
  return {
    caption: tokenizer.decode(h.tokens),
    words: h.tokens.map((id) => tokenizer.idToWord(id)),
    tokens: h.tokens,
    score: h.score,
    logProb: h.logProb,
    attention: h.attention,
    gridSize: attentionGridSize(gridTokens),
    finished: h.finished,
  };
}

/** The tfjs engine of `ImageCaptioner`: pixels → frozen backbone → encoder → greedy/beam decoding → words. */
export class Captioner implements ImageCaptioner {
  readonly engine = 'tfjs' as const;

  constructor(
    readonly model: CaptionModel,
    readonly tokenizer: CaptionTokenizer,
    readonly backbone: FeatureExtractor,
    readonly manifest: BundleManifest,
  ) {}

  get imageSize(): number {
    return this.backbone.imageSize;
  }

  get architecture(): Architecture {
    return this.model.config.arch;
  }

  get parameterCount(): number {
    return this.model.countParams();
  }

  /** Captions images that are already `imageSize` × `imageSize` RGB. */
  async captionImages(images: RgbImage[], options: Partial<SearchOptions> = {}): Promise<CaptionResult[]> {
    const size = this.imageSize;
    for (const [i, image] of images.entries()) {
      if (image.width !== size || image.height !== size || image.data.length !== size * size * 3) {
        throw new Error(`image ${i} is ${image.width}×${image.height}; this model needs ${size}×${size} RGB.`);
      }
    }
    const pixels = new Float32Array(images.length * size * size * 3);
    images.forEach((image, i) => pixels.set(image.data, i * size * size * 3));
    const features = tf.tidy(() => this.backbone.extract(tf.tensor4d(pixels, [images.length, size, size, 3])));
    try {
      return await this.captionFeatures(features, options);
    } finally {
      features.dispose();
    }
  }

  /** Captions images from backbone features [N, T, C] (e.g. from a feature cache). */
  async captionFeatures(features: tf.Tensor3D, options: Partial<SearchOptions> = {}): Promise<CaptionResult[]> {
    const hypotheses = await generateFromFeatures(this.model, features, searchTokensOf(this.tokenizer), options);
    return hypotheses.map((h) => this.toResult(h));
  }

  private toResult(h: Hypothesis): CaptionResult {
    return captionResult(h, this.tokenizer, this.model.config.featureShape[0]);
  }

  dispose(): void {
    this.model.dispose();
    this.backbone.dispose();
  }
}
