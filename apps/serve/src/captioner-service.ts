import * as tf from '@tensorflow/tfjs-core';
import type { ImageCaptioner } from '@imgcap/captioner/bundle';
import type { DecodedImage } from '@imgcap/image-io';
import type { CaptionService, CaptionOptions, ServedCaption } from './caption-service-types.js';
import { HttpError } from './errors.js';
import { MicroBatcher } from './micro-batcher.js';

type SearchKey = {
  beamWidth: number;
  maxLength?: number;
  noRepeatNgramSize?: number;
  sample?: boolean;
  temperature?: number;
  topK?: number;
  seed?: number;
};

/** What the server needs of an ImageCaptioner, whichever engine runs it (tfjs or ONNX Runtime). */
export type CaptionerLike = Pick<
  ImageCaptioner,
  'imageSize' | 'manifest' | 'architecture' | 'captionImages' | 'dispose'
>;

/** The real service: one loaded caption bundle (an ImageCaptioner) behind the server's CaptionService interface. */
export class CaptionerService implements CaptionService {
  private readonly batcher: MicroBatcher<DecodedImage, SearchKey, ServedCaption>;

  /** `maxBatch`: concurrent captions with the same options are run as one batch of at most this many. */
  constructor(
    private readonly captioner: CaptionerLike,
    maxBatch = 1,
    readonly engine?: string,
    readonly backboneWeights?: string,
  ) {
    this.batcher = new MicroBatcher(maxBatch, (images, search) => this.captionBatch(images, search));
  }

  get imageSize(): number {
    return this.captioner.imageSize;
  }

  get architecture(): string {
    return this.captioner.architecture;
  }

  get modelConfig(): Readonly<Record<string, unknown>> {
    return this.captioner.manifest.config as unknown as Record<string, unknown>;
  }

  /** Longest caption this model can write (its decoder positions). */
  get maxLength(): number {
    return this.captioner.manifest.config.seqLength - 1;
  }

  async caption(image: DecodedImage, options: CaptionOptions): Promise<ServedCaption> {
    if (options.maxLength !== undefined && options.maxLength > this.maxLength) {
      throw new HttpError(
        400,
        'bad_option',
        `max_length ${options.maxLength} exceeds this model's limit of ${this.maxLength}`,
      );
    }
    const key: SearchKey = {
      beamWidth: options.beam ?? 1,
      ...(options.maxLength !== undefined ? { maxLength: options.maxLength } : {}),
      ...(options.noRepeatNgramSize ? { noRepeatNgramSize: options.noRepeatNgramSize } : {}),
      ...(options.sample ? { sample: true, ...options.sample } : {}),
    };
    // A seeded sample is decoded alone: its caption then depends on the image and the seed only.
    return this.batcher.submit(image, key, { alone: options.sample?.seed !== undefined });
  }

  private async captionBatch(images: DecodedImage[], search: SearchKey): Promise<ServedCaption[]> {
    const results = await this.captioner.captionImages(images, search);
    return results.map((result) => ({
      caption: result.caption,
      words: result.words,
      score: result.score,
      attention: result.attention,
      gridSize: result.gridSize,
    }));
  }

  /** One caption of a grey image: the first real request then runs on warmed kernels. */
  async warm(): Promise<void> {
    const size = this.imageSize;
    const grey: DecodedImage = {
      data: new Uint8Array(size * size * 3).fill(128),
      width: size,
      height: size,
      channels: 3,
      format: 'png',
      originalWidth: size,
      originalHeight: size,
    };
    await this.caption(grey, { beam: 2 });
  }

  tensorsAlive(): number {
    return tf.memory().numTensors;
  }

  dispose(): void {
    this.captioner.dispose();
  }
}
