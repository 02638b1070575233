import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { CachedDecoderSession, CaptionModel, PRESETS, type CaptionModelConfig } from '@imgcap/captioner/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestBackend } from '../test-helpers/tiny-bundle.js';
import { graphInputsOf } from './graph-inputs.js';
import { buildDecoderStepGraph, buildEncoderGraph } from './model-graphs.js';

/**
 * The exported graphs and the tfjs layers run the same block definitions (@imgcap/transformer-blocks/definition); this
 * checks it where it matters, at the real sizes of a trained model: the seed's shipped S run (2 heads each 512 wide,
 * Keras-shaped kernels, ε 1e-3) and imgcap's m (4 decoder heads splitting 512), on EfficientNet-B1's 7 × 7 × 1280 grid,
 * 10,000 words, 35 positions.
 */
const REAL_SIZE = {
  vocabSize: 10_000,
  seqLength: 36,
  dropout: 0,
  backbone: 'efficientnet-b1@224',
  imageSize: 224,
  featureShape: [49, 1280] as [number, number],
};
const { featureShape, seqLength, vocabSize } = REAL_SIZE;
const ROWS = 2;
const STEPS = 6;

beforeAll(useTestBackend);

function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return worst / scale;
}

describe.each(['seed-s', 'm'] as const)('the %s preset exported to ONNX at its real size', (preset) => {
  const { arch, embedDim, ffDim, encHeads, decHeads } = PRESETS[preset];
  const config: CaptionModelConfig = { ...REAL_SIZE, arch, embedDim, ffDim, encHeads, decHeads };
  let model: CaptionModel;
  let encoder: ort.InferenceSession;
  let step: ort.InferenceSession;

  beforeAll(async () => {
    model = new CaptionModel(config, { seed: 5 });
    sharpenAttention(model);
    const { weights, spec } = graphInputsOf(model, preset);
    encoder = await ort.InferenceSession.create(buildEncoderGraph(weights, spec));
    step = await ort.InferenceSession.create(buildDecoderStepGraph(weights, spec));
  }, 120_000);
  afterAll(async () => {
    model.dispose();
    await encoder.release();
    await step.release();
  });

  it('encodes, and decodes step by step, as the tfjs blocks do (relative error < 1e-4)', async () => {
    const features = tf.randomUniform([ROWS, ...featureShape], 0, 2, 'float32', 3) as tf.Tensor3D;
    const featureData = (await features.data()) as Float32Array;
    const encodedTfjs = model.encode(features);
    const encoded = await encoder.run({ features: new ort.Tensor('float32', featureData, [ROWS, ...featureShape]) });
    expect(relativeError(encoded['encoded']!.data as Float32Array, await encodedTfjs.data())).toBeLessThan(1e-4);

    const blockSpec = model.blockSpecs().decoder;
    const cacheShape = [ROWS, blockSpec.numHeads, seqLength - 1, blockSpec.headDim];
    const cacheSize = cacheShape.reduce((a, b) => a * b, 1);
    const past = { keys: new Float32Array(cacheSize), values: new Float32Array(cacheSize) };
    const reference = new CachedDecoderSession(model, encodedTfjs);
    const tokens = Array.from({ length: STEPS }, (_, i) =>
      Int32Array.of((i * 977 + 3) % vocabSize, (i * 131 + 7) % vocabSize),
    );
    // The full causal pass over the same tokens (later positions padded): `decoderBlock` where the steps run
    // `decoderBlockStep`.
    const fullPass = tf.tidy(() => {
      const ids = new Int32Array(ROWS * (seqLength - 1));
      tokens.forEach((pair, position) => pair.forEach((id, row) => (ids[row * (seqLength - 1) + position] = id)));
      return tf.logSoftmax(model.logits(features, tf.tensor2d(ids, [ROWS, seqLength - 1], 'int32')));
    });
    try {
      for (let position = 0; position < STEPS; position++) {
        const expected = reference.step(tokens[position]!, position);
        const out = await step.run({
          tokens: new ort.Tensor('int64', BigInt64Array.from(tokens[position]!, BigInt), [ROWS, 1]),
          position: new ort.Tensor('int64', BigInt64Array.of(BigInt(position)), []),
          past_keys: new ort.Tensor('float32', past.keys, cacheShape),
          past_values: new ort.Tensor('float32', past.values, cacheShape),
          cross_keys: encoded['cross_keys']!,
          cross_values: encoded['cross_values']!,
        });
        const logProbs = (await (expected.logProbs as tf.Tensor).data()) as Float32Array;
        const attention = (await (expected.attention as tf.Tensor).data()) as Float32Array;
        tf.dispose([expected.logProbs as tf.Tensor, expected.attention as tf.Tensor]);
        expect(relativeError(out['log_probs']!.data as Float32Array, logProbs)).toBeLessThan(1e-4);
        expect(relativeError(out['cross_attention']!.data as Float32Array, attention)).toBeLessThan(1e-4);
        const row = tf.tidy(() => tf.slice(fullPass, [0, position, 0], [ROWS, 1, vocabSize]));
        expect(relativeError(out['log_probs']!.data as Float32Array, await row.data())).toBeLessThan(1e-4);
        row.dispose();
        writeSlot(past.keys, out['new_keys']!.data as Float32Array, cacheShape, position);
        writeSlot(past.values, out['new_values']!.data as Float32Array, cacheShape, position);
      }
    } finally {
      reference.dispose();
      tf.dispose([features, encodedTfjs, fullPass]);
    }
  }, 120_000);
});

/** Copies one position's keys or values [rows, heads, 1, dh] into a cache [rows, heads, L, dh]. */
function writeSlot(cache: Float32Array, fresh: Float32Array, shape: number[], position: number): void {
  const [rows, heads, length, width] = shape as [number, number, number, number];
  for (let r = 0; r < rows * heads; r++) {
    cache.set(fresh.subarray(r * width, (r + 1) * width), (r * length + position) * width);
  }
}

/**
 * Freshly initialised attention is almost uniform, which would hide a wrong scale or mask; a trained model's is not.
 * Query and key kernels × 4 make the logits 16× wider, as peaked as a trained model's.
 */
function sharpenAttention(model: CaptionModel): void {
  for (const weight of model.network.weights) {
    if (/(query|key)\/kernel$/.test(weight.originalName)) {
      tf.tidy(() => {
        weight.write(tf.mul(weight.read(), 4));
      });
    }
  }
}
