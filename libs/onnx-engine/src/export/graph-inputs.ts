import { LAYER_NAMES, type CaptionModel } from '@imgcap/captioner/model';
import type { BundleWeights, GraphSpec } from './model-graphs.js';
import type { WeightValue } from './onnx-ops.js';

/**
 * The weight as the graphs multiply it: attention kernels stored in Keras's shapes ([in, heads, dim], biases
 * [heads, dim], output [heads, dim, out]) hold the same row-major values as [in, heads·dim] matrices.
 */
function asMatrix(name: string, values: Float32Array, shape: number[]): WeightValue {
  if (shape.length === 3)
    return {
      values,
      shape: name.endsWith('attention_output/kernel')
        ? [shape[0]! * shape[1]!, shape[2]!]
        : [shape[0]!, shape[1]! * shape[2]!],
    };
  if (shape.length === 2 && name.endsWith('/bias')) return { values, shape: [shape[0]! * shape[1]!] };
  return { values, shape };
}

/** Every weight of a tfjs caption model (read synchronously) and the settings its graphs are built with. */
export function graphInputsOf(model: CaptionModel, source: string): { weights: BundleWeights; spec: GraphSpec } {
  const weights = new Map<string, WeightValue>();
  for (const w of model.network.weights) {
    const values = Float32Array.from(w.read().dataSync() as Float32Array);
    weights.set(w.originalName, asMatrix(w.originalName, values, [...w.shape] as number[]));
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
