// Backbone features → captions on ONNX Runtime: the encoder graph, each image's cross-attention keys and values
// gathered for its decoder rows, and the search over the key/value-cached decoder step. One core for Node's ONNX
// captioner (onnxruntime-node) and the web page (onnxruntime-web): the ONNX Runtime module is a parameter, and the
// module imports nothing Node-only (the page loads it as built, through @imgcap/onnx-engine/browser).
import { rowsPerImage, runSearch } from '@imgcap/captioner/generation';
import type { Hypothesis, SearchOptions, SearchTokens } from '@imgcap/captioner/generation';
import { gatherRows, OnnxDecoderSession, type DecoderStepShape } from './onnx-decoder-session.js';
import type { StepRunner } from './step-runner.js';

/** What the core needs of an ONNX Runtime module (onnxruntime-node's or -web's): its tensor class. */
export interface OrtTensorModule {
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
}

/** An inference session as both ONNX Runtimes offer it. */
export interface OnnxGraph {
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown }>>;
}

/** The exported graphs of one bundle and the shapes that go with them. */
export interface CaptionGraphs {
  encoder: OnnxGraph;
  runStep: StepRunner;
  shape: DecoderStepShape;
  /** [grid tokens, channels] of the backbone's features. */
  featureShape: readonly [number, number];
}

/** Captions `count` images from their backbone features [count, tokens, channels], as `options` search. */
export async function captionOnnxFeatures(
  ort: OrtTensorModule,
  graphs: CaptionGraphs,
  features: Float32Array,
  count: number,
  tokens: SearchTokens,
  options: SearchOptions,
): Promise<Hypothesis[]> {
  const [T, C] = graphs.featureShape;
  if (features.length !== count * T * C)
    throw new Error(`features hold ${features.length} values; ${count} × ${T} × ${C} expected.`);
  const encoded = await graphs.encoder.run({ features: new ort.Tensor('float32', features, [count, T, C]) });
  const K = rowsPerImage(options);
  // Row image·K + j decodes image's caption (beam or sample j): each row needs the image's cross-attention keys/values.
  const rowImage = Int32Array.from({ length: count * K }, (_, row) => Math.floor(row / K));
  const { numHeads, gridTokens, headDim } = graphs.shape;
  const row = numHeads * gridTokens * headDim;
  const cross = {
    keys: gatherRows(encoded['cross_keys']!.data as Float32Array, rowImage, row),
    values: gatherRows(encoded['cross_values']!.data as Float32Array, rowImage, row),
  };
  const session = new OnnxDecoderSession(graphs.runStep, count * K, cross, graphs.shape);
  try {
    return await runSearch(session, count, tokens, options);
  } finally {
    session.dispose();
  }
}
