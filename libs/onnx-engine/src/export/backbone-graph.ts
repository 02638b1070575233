import { createFeatureExtractor, type BackboneSpec } from '@imgcap/vision-backbone';
import { buildLayersModelGraph } from './layers-model-graph.js';
import { buildPatchBackboneGraph } from './model-graphs.js';

/** A backbone as an ONNX graph (`images` [N, S, S, 3] 0..255 → `features` [N, T, C]) and what it computes. */
export interface BackboneGraph {
  graph: Uint8Array;
  /** backboneId of the spec, as the tfjs feature extractor names it (feature caches key on it). */
  id: string;
  imageSize: number;
  featureShape: [number, number];
}

/** Patches directly; EfficientNet built as the spec says (converted weights, or its seeded random init) and converted. */
export async function buildBackboneGraph(spec: BackboneSpec): Promise<BackboneGraph> {
  const extractor = await createFeatureExtractor(spec);
  try {
    const { id, imageSize, featureShape } = extractor;
    const graph = extractor.network
      ? buildLayersModelGraph(extractor.network, imageSize)
      : buildPatchBackboneGraph(Math.round(Math.sqrt(featureShape[1] / 3)), imageSize); // a patch token holds P·P·3 pixels
    return { graph, id, imageSize, featureShape };
  } finally {
    extractor.dispose();
  }
}
