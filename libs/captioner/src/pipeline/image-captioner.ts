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
