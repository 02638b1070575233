// No ONNX Runtime import here, and only type imports in onnx-decoder-session.ts: the serve app hands both
// files, as built, to browsers, where they run the same decoder step on onnxruntime-web.

/** The decoder-step graph's inputs as plain row-major arrays, with the dims the graph declares. */
export interface StepFeeds {
  tokens: BigInt64Array;
  position: bigint;
  pastKeys: Float32Array;
  pastValues: Float32Array;
  crossKeys: Float32Array;
  crossValues: Float32Array;
  /** [rows, H, maxLength, dh] */
  cacheDims: readonly number[];
  /** [rows, H, gridTokens, dh] */
  crossDims: readonly number[];
}

/** Its outputs: log-probabilities [rows, V], this position's keys/values [rows, H, 1, dh], cross-attention [rows, T]. */
export interface StepResults {
  logProbs: Float32Array;
  newKeys: Float32Array;
  newValues: Float32Array;
  crossAttention: Float32Array;
}

/** Runs the exported decoder step: synchronously on onnxruntime-node, asynchronously on onnxruntime-web. */
export type StepRunner = (feeds: StepFeeds) => StepResults | Promise<StepResults>;

/** The part of an ONNX Runtime module (node or web) a step runner needs. */
export interface OrtTensorModule {
  Tensor: new (type: 'int64' | 'float32', data: BigInt64Array | Float32Array, dims: readonly number[]) => unknown;
}

type GraphOutputs = Record<string, { data: unknown }>;

/** A session of `decoder_step.onnx` whose `run` takes named ORT tensors (sync or async). */
export interface StepGraph {
  run(feeds: Record<string, unknown>): GraphOutputs | Promise<GraphOutputs>;
}

/** Binds the graph's input and output names to a session of either ONNX Runtime. */
export function stepRunner(ort: OrtTensorModule, graph: StepGraph): StepRunner {
  const results = (out: GraphOutputs): StepResults => ({
    logProbs: out['log_probs']!.data as Float32Array,
    newKeys: out['new_keys']!.data as Float32Array,
    newValues: out['new_values']!.data as Float32Array,
    crossAttention: out['cross_attention']!.data as Float32Array,
  });
  return (f) => {
    const out = graph.run({
      tokens: new ort.Tensor('int64', f.tokens, [f.tokens.length, 1]),
      position: new ort.Tensor('int64', BigInt64Array.of(f.position), []),
      past_keys: new ort.Tensor('float32', f.pastKeys, f.cacheDims),
      past_values: new ort.Tensor('float32', f.pastValues, f.cacheDims),
      cross_keys: new ort.Tensor('float32', f.crossKeys, f.crossDims),
      cross_values: new ort.Tensor('float32', f.crossValues, f.crossDims),
    });
    return out instanceof Promise ? out.then(results) : results(out);
  };
}
