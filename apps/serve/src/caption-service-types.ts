import type { DecodedImage } from '@imgcap/image-io';

// The caption service contract on its own, so caption-service.ts (which loads one) and captioner-service.ts (which
// implements it) do not import each other. "Engine" names only what runs the model: tfjs or ONNX Runtime.

export interface CaptionOptions {
  /** Beam width; 1 is greedy decoding. */
  beam?: number;
  /** Most tokens to generate, end token excluded. */
  maxLength?: number;
  /** n ≥ 1: no n-gram of words twice in the caption; 0 or absent = off. */
  noRepeatNgramSize?: number;
  /** Draw the caption from the model instead of searching (beam must be 1 or absent). */
  sample?: { temperature: number; topK: number; seed?: number };
}

/**
 * One served caption. `words` are the caption's words (the library's `CaptionResult` names them the same and keeps
 * the ids in `tokens`); the HTTP answer calls them `tokens`, as the Keras server's clients read them.
 */
export interface ServedCaption {
  caption: string;
  words: string[];
  /** Log-probability of the caption under the model. */
  score: number;
  /** Per generated word, one weight per cell of the image grid (row-major, gridSize[0] rows × gridSize[1] cols). */
  attention?: number[][];
  gridSize?: [number, number];
}

/** What the server needs from a captioning model: the routes call this; `CaptionerService` adapts an ImageCaptioner. */
export interface CaptionService {
  /** The backbone's input side: uploads are resized to imageSize × imageSize before `caption`. */
  readonly imageSize: number;
  /** The engine that runs the model (logged at start-up): `tfjs (<backend>)` or `onnx`. */
  readonly engine?: string;
  /** The network (logged at start-up): 'seed' (the Keras project's) or 'imgcap'. */
  readonly architecture?: string;
  /** Which weights the backbone carries (ImageNet, imported, random…), one line: logged, and shown by GET /. */
  readonly backboneWeights?: string;
  /** The loaded model's config, in the bundle's own field names (GET / shows it to API clients). */
  readonly modelConfig?: Readonly<Record<string, unknown>>;
  caption(image: DecodedImage, options: CaptionOptions): Promise<ServedCaption>;
  /** tfjs tensors alive now, for the /metrics leak gauge (engines without tfjs omit it). */
  tensorsAlive?(): number;
  dispose(): void;
}
