import type { BackboneSpec } from '@imgcap/vision-backbone';
import { buildBackboneGraph } from '../export/backbone-graph.js';
import { openBackboneSession } from './backbone-session.js';

/**
 * A backbone on ONNX Runtime for bulk feature extraction (training's feature cache): the same features as
 * vision-backbone's `createFeatureExtractor` (within float rounding), EfficientNet ~14× faster than tfjs-wasm.
 */
export interface OnnxFeatureExtractor {
  readonly id: string;
  readonly imageSize: number;
  readonly featureShape: [tokens: number, channels: number];
  /** `count` images as row-major [count, S, S, 3] RGB 0..255 → features [count, T, C]. */
  features(pixels: Float32Array, count: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export async function createOnnxFeatureExtractor(
  spec: BackboneSpec,
  options: { threads?: number } = {},
): Promise<OnnxFeatureExtractor> {
  const { graph, id, imageSize, featureShape } = await buildBackboneGraph(spec);
  const session = await openBackboneSession(
    graph,
    imageSize,
    options.threads ? { intraOpNumThreads: options.threads } : {},
  );
  return { id, imageSize, featureShape, features: session.features, dispose: session.dispose };
}
