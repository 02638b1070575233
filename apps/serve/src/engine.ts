import { stat } from 'node:fs/promises';
import type { DecodedImage } from '@imgcap/image-io';

export interface CaptionOptions {
  /** Beam width; 1 is greedy decoding. */
  beam?: number;
  /** Most tokens to generate, end token excluded. */
  maxLength?: number;
}

export interface CaptionResult {
  caption: string;
  tokens: string[];
  /** Log-probability of the caption under the model. */
  score: number;
  /** Per generated word, one weight per cell of the image grid (row-major, gridSize[0] rows × gridSize[1] cols). */
  attention?: number[][];
  gridSize?: [number, number];
}

/** What the server needs from a captioning model; @imgcap/captioner provides the real one. */
export interface CaptionEngine {
  /** The backbone's input side: uploads are resized to imageSize × imageSize before `caption`. */
  readonly imageSize: number;
  caption(image: DecodedImage, options: CaptionOptions): Promise<CaptionResult>;
  dispose(): void;
}

export interface LoadEngineOptions {
  /** tfjs backend override (e.g. 'wasm', 'cpu'); default: the best one available. */
  backend?: string;
}

/**
 * Loads the model bundle in `modelDir` and returns a warmed engine.
 * TODO(lead): wire to @imgcap/captioner once it lands — select the tfjs backend via @imgcap/tf-runtime
 * (options.backend), load the bundle, wrap it as a CaptionEngine, and run one caption on a blank image so the
 * first request does not pay for kernel compilation.
 */
export async function loadEngine(modelDir: string, options: LoadEngineOptions = {}): Promise<CaptionEngine> {
  const info = await stat(modelDir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new Error(`Model directory not found: ${modelDir} (pass --model with a trained bundle's directory)`);
  }
  throw new Error(
    `Cannot load ${modelDir} with backend ${options.backend ?? 'auto'}: the model loader is not wired yet ` +
      '(apps/serve/src/engine.ts loadEngine, pending @imgcap/captioner)',
  );
}
