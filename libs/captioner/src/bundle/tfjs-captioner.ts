import * as tf from '@tensorflow/tfjs-core';
import type { CaptionTokenizer } from '@imgcap/tokenizer';
import type { FeatureExtractor } from '@imgcap/vision-backbone';
import type { Architecture } from '../config.js';
import { captionResult, searchTokensOf } from '../generation/caption-result.js';
import type { SearchOptions } from '../generation/search-options.js';
import type { CaptionModel } from '../model/caption-model.js';
import { generateFromFeatures } from '../model/generate.js';
import { packImages, type CaptionResult, type ImageCaptioner, type RgbImage } from '../pipeline/image-captioner.js';
import type { BundleManifest } from './manifest.js';

/**
 * The tfjs engine of `ImageCaptioner`: pixels → frozen backbone → encoder → greedy/beam decoding → words. Private to
 * the package: `loadCaptionBundle` hands it out as an `ImageCaptioner`.
 */
export class TfjsCaptioner implements ImageCaptioner {
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
    const pixels = packImages(images, size);
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
    return hypotheses.map((h) => captionResult(h, this.tokenizer, this.model.config.featureShape[0]));
  }

  dispose(): void {
    this.model.dispose();
    this.backbone.dispose();
  }
}
