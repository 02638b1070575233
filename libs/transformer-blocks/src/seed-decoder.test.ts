import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { TransformerDecoderBlock, type DecoderCache, type TransformerDecoderBlockArgs } from './decoder-block.js';
import { TokenAndPositionEmbedding } from './embeddings.js';
import { describeLayerContract, expectClose, useCpuBackend } from './test-helpers/layer-contract.js';

/** A weight's name without the layer-name scope that applying the layer adds. */
const ownName = (name: string) => name.replace(/^[^/]*_Imgcap\w+Block\d*\//, '');

/**
 * The seed's decoder block: heads the full model width, Keras's dropouts and LayerNorm epsilon. The layer
 * contract runs without the dropouts: its "loss goes down" check compares two randomly dropped-out losses.
 */
const seedArgs = (embedDim: number, ffDim: number, numHeads: number, dropouts = true): TransformerDecoderBlockArgs => ({
  intermediateDim: ffDim,
  numHeads,
  keyDim: embedDim,
  dropout: 0,
  attentionDropout: dropouts ? 0.1 : 0,
  feedForwardDropout: dropouts ? 0.3 : 0,
  outputDropout: dropouts ? 0.5 : 0,
  epsilon: 1e-3,
  kerasLayout: true,
});

const tokens = (seed = 1, len = 5) => tf.randomNormal([2, len, 7], 0, 1, 'float32', seed);
const encoded = () => tf.randomNormal([2, 3, 7], 0, 1, 'float32', 2) as tf.Tensor3D;

describeLayerContract('TransformerDecoderBlock (seed settings: 3 heads of the full width 7, Keras dropouts)', {
  create: () => new TransformerDecoderBlock(seedArgs(7, 6, 3, false)),
  inputs: () => [tokens(), encoded()],
  outputShape: [2, 5, 7],
  weightCount: 26,
});

describe('the seed decoder', () => {
  useCpuBackend();

  it("embedding + block + vocabulary Dense have the Keras project's decoder parameter count: 14,733,840", () => {
    const embedding = new TokenAndPositionEmbedding({
      vocabSize: 10_000,
      sequenceLength: 32,
      embedDim: 512,
      scaleBySqrtDim: true,
    });
    const block = new TransformerDecoderBlock(seedArgs(512, 256, 2));
    const out = layers.dense({ units: 10_000 });
    embedding.build([null, 31]);
    block.build([
      [null, 31, 512],
      [null, 49, 512],
    ]);
    out.build([null, 31, 512]);
    expect(embedding.countParams() + block.countParams() + out.countParams()).toBe(14_733_840);
    expect(block.weights.find((w) => ownName(w.originalName) === 'cross_attention/value/kernel')?.shape).toEqual([
      512, 2, 512,
    ]);
    [embedding, block, out].forEach((l) => l.weights.forEach((w) => w.dispose()));
  });

  it('step() with a KV cache equals the full causal call at every position (to 1e-5)', async () => {
    const block = new TransformerDecoderBlock(seedArgs(7, 6, 3));
    const x = tokens(3);
    const enc = encoded();
    const full = block.apply([x, enc]) as tf.Tensor;
    const before = tf.memory().numTensors;
    const memory = block.precomputeCrossAttention(enc);
    let cache: DecoderCache = block.initCache(2, 6);
    expect(cache.keys.shape).toEqual([2, 3, 6, 7]);
    for (let t = 0; t < 5; t++) {
      const xt = tf.slice(x, [0, t, 0], [-1, 1, -1]) as tf.Tensor3D;
      const result = block.step(xt, cache, memory, t);
      const expected = tf.slice(full, [0, t, 0], [-1, 1, -1]);
      await expectClose(result.output, expected, 1e-5);
      tf.dispose([cache.keys, cache.values, xt, expected, result.output, result.crossAttention as tf.Tensor]);
      cache = result.cache;
    }
    tf.dispose([cache.keys, cache.values, memory.keys, memory.values]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('drops out only while training: the 0.5 output dropout zeroes about half of the outputs', async () => {
    const block = new TransformerDecoderBlock(seedArgs(7, 6, 3));
    const x = tokens(4, 40);
    const inference = block.apply([x, encoded()]) as tf.Tensor;
    const again = block.apply([x, encoded()]) as tf.Tensor;
    await expectClose(again, inference, 0);
    const trained = block.apply([x, encoded()], { training: true }) as tf.Tensor;
    const zeros = tf.mean(tf.cast(tf.equal(trained, 0), 'float32')).dataSync()[0]!;
    expect(zeros).toBeGreaterThan(0.4);
    expect(zeros).toBeLessThan(0.6);
  });
});
