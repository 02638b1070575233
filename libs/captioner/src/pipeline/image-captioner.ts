import type { BundleManifest } from '../bundle/manifest.js';
import type { Architecture } from '../config.js';
import type { SearchOptions } from '../generation/search-options.js';

/** RGB pixels, HWC uint8, already resized to the backbone's input size. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface CaptionResult {
  caption: string;
  /** The caption's words, one per id. */
  words: string[];
  /** The generated token ids (the end marker excluded), one per word. */
  ids: number[];
  /** Length-normalised log-probability used to rank beams; `logProb` is the raw sum. */
  score: number;
  logProb: number;
  /** Per word: mean cross-attention over the image grid (row-major, `gridSize` = [rows, cols]). */
  attention: number[][];
  gridSize: [number, number];
  /** False when `maxLength` cut the caption before its end marker. */
  finished: boolean;
}

/**
 * What every captioning engine offers, whatever runs the model (tfjs, ONNX Runtime):
 * one contract for eval, serve and users, as tfjs-models' `load()` returns one interface.
 */
export interface ImageCaptioner {
  /** What runs the model. */
  readonly engine: 'tfjs' | 'onnx';
  /** The bundle it was loaded from (config, backbone, metadata). */
  readonly manifest: BundleManifest;
  readonly architecture: Architecture;
  /** The backbone's input side: images are resized to imageSize × imageSize before `captionImages`. */
  readonly imageSize: number;
  /** Trained parameters of the caption model (the frozen backbone excluded). */
  readonly parameterCount: number;
  /** Captions images that are already `imageSize` × `imageSize` RGB, each with its words, score and attention. */
  captionImages(images: RgbImage[], options?: Partial<SearchOptions>): Promise<CaptionResult[]>;
  dispose(): void;
}

/**
 * The pixels of `images` as one [count, size, size, 3] float32 batch, as every engine's backbone takes them; an image
 * of another size is refused, naming its index.
 */
export function packImages(images: readonly RgbImage[], size: number): Float32Array {
  const length = size * size * 3;
  for (const [i, image] of images.entries()) {
    if (image.width !== size || image.height !== size || image.data.length !== length) {
      throw new Error(`image ${i} is ${image.width}×${image.height}; this model needs ${size}×${size} RGB.`);
    }
  }
  const pixels = new Float32Array(images.length * length);
  images.forEach((image, i) => pixels.set(image.data, i * length));
  return pixels;
}
