import { LAYER_NAMES, type CaptionModel } from '@imgcap/captioner/model';
import { multipliedShape } from '@imgcap/transformer-blocks/definition';
import type { BundleWeights, GraphSpec } from './model-graphs.js';
import type { WeightValue } from './onnx-ops.js';

/** Every weight of a tfjs caption model (read synchronously) and the settings its graphs are built with. */
export function graphInputsOf(model: CaptionModel, source: string): { weights: BundleWeights; spec: GraphSpec } {
  const weights = new Map<string, WeightValue>();
  for (const w of model.network.weights) {
    const values = Float32Array.from(w.read().dataSync() as Float32Array);
    weights.set(w.originalName, { values, shape: multipliedShape(w.originalName, w.shape as number[]) });
  }
  const { featureShape, embedDim, vocabSize, seqLength, arch } = model.config;
  const positionRows = weights.get(`${LAYER_NAMES.imagePosition}/embeddings`)?.shape[0];
  if (arch === 'imgcap' && positionRows !== featureShape[0]) {
    throw new Error(
      `${source}: image position table has ${positionRows} rows; the feature grid has ${featureShape[0]} tokens.`,
    );
  }
  const embedding = model.network.getLayer(LAYER_NAMES.embedding).getConfig();
  const spec: GraphSpec = {
    arch,
    gridTokens: featureShape[0],
    featureChannels: featureShape[1],
    embedDim,
    vocabSize,
    maxLength: seqLength - 1,
    scaleBySqrtDim: embedding['scaleBySqrtDim'] === true,
    ...model.blockSpecs(),
  };
  return { weights, spec };
}
