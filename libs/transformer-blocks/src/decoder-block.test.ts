import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { TransformerDecoderBlock, type DecoderCache } from './decoder-block.js';
import { describeLayerContract, expectClose, useCpuBackend } from './test-helpers/layer-contract.js';

const tokens = (seed = 1, len = 5) => tf.randomNormal([2, len, 8], 0, 1, 'float32', seed);
const encoded = () => tf.randomNormal([2, 3, 6], 0, 1, 'float32', 2) as tf.Tensor3D;
const padding = () =>
  tf.tensor2d([
    [1, 1, 1, 1, 1],
    [1, 1, 1, 0, 0],
  ]);
const slicePositions = (y: tf.Tensor, start: number, len: number) => tf.slice(y, [0, start, 0], [-1, len, -1]);

describeLayerContract('TransformerDecoderBlock (cross-attention + padding)', {
  create: () => new TransformerDecoderBlock({ intermediateDim: 16, numHeads: 2 }),
  inputs: () => [tokens(), encoded(), padding()],
  outputShape: [2, 5, 8],
  weightCount: 26,
});

describeLayerContract('TransformerDecoderBlock (decoder only, pre-norm)', {
  create: () => new TransformerDecoderBlock({ intermediateDim: 16, numHeads: 4, normalizeFirst: true }),
  inputs: () => tokens(),
  outputShape: [2, 5, 8],
  weightCount: 16,
});

describe('TransformerDecoderBlock', () => {
  useCpuBackend();

  it('is causal: changing later tokens leaves earlier outputs unchanged', async () => {
    const block = new TransformerDecoderBlock({ intermediateDim: 16, numHeads: 2 });
    const x = tokens(1);
    const changedLater = tf.concat([slicePositions(x, 0, 3), slicePositions(tokens(9), 3, 2)], 1);
    const a = block.apply([x, encoded()]) as tf.Tensor;
    const b = block.apply([changedLater, encoded()]) as tf.Tensor;
    await expectClose(slicePositions(b, 0, 3), slicePositions(a, 0, 3), 1e-5);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeGreaterThan(1e-3);
  });

  it('ignores padded tokens: changing them leaves real tokens unchanged', async () => {
    const block = new TransformerDecoderBlock({ intermediateDim: 16, numHeads: 2 });
    const x = tokens(1);
    const changedPadding = tf.concat([slicePositions(x, 0, 3), slicePositions(tokens(9), 3, 2)], 1);
    const a = block.apply([x, encoded(), padding()]) as tf.Tensor;
    const b = block.apply([changedPadding, encoded(), padding()]) as tf.Tensor;
    // Causality alone already protects positions < 3; the full-length real item 0 sees none of this.
    await expectClose(tf.slice(b, [1, 0, 0], [1, 3, 8]), tf.slice(a, [1, 0, 0], [1, 3, 8]), 1e-5);
  });

  for (const normalizeFirst of [false, true]) {
    for (const withEncoder of [true, false]) {
      it(`step() with a KV cache equals the full recomputation at every position (normalizeFirst=${normalizeFirst}, encoder=${withEncoder})`, async () => {
        const block = new TransformerDecoderBlock({ intermediateDim: 16, numHeads: 2, normalizeFirst, dropout: 0.1 });
        const x = tokens(3);
        const enc = encoded();
        const full = block.apply(withEncoder ? [x, enc] : x) as tf.Tensor;
        const before = tf.memory().numTensors;
        const memory = withEncoder ? block.precomputeCrossAttention(enc) : null;
        let cache: DecoderCache = block.initCache(2, 7);
        for (let t = 0; t < 5; t++) {
          const xt = slicePositions(x, t, 1) as tf.Tensor3D;
          const result = block.step(xt, cache, memory, t);
          const expected = slicePositions(full, t, 1);
          await expectClose(result.output, expected, 1e-5);
          if (withEncoder) {
            expect(result.crossAttention?.shape).toEqual([2, 2, 1, 3]);
            const [headSums, ones] = [tf.sum(result.crossAttention!, -1), tf.ones([2, 2, 1])];
            await expectClose(headSums, ones, 1e-6);
            tf.dispose([headSums, ones]);
          } else {
            expect(result.crossAttention).toBeNull();
          }
          tf.dispose([cache.keys, cache.values, xt, expected, result.output, result.crossAttention as tf.Tensor]);
          cache = result.cache;
        }
        tf.dispose([cache.keys, cache.values, memory?.keys as tf.Tensor, memory?.values as tf.Tensor]);
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  }

  it('refuses mismatched inputs, naming what is allowed', () => {
    const block = new TransformerDecoderBlock({ intermediateDim: 16, numHeads: 2 });
    block.apply([tokens(), encoded()]);
    expect(() => block.apply(tokens())).toThrow(/built with an encoder sequence but called without one/);
    const cache = block.initCache(2, 4);
    const memory = block.precomputeCrossAttention(encoded());
    expect(() => block.step(slicePositions(tokens(), 0, 1) as tf.Tensor3D, cache, memory, 4)).toThrow(
      /position must be an integer in \[0, 3\], got 4/,
    );
    expect(() => block.step(tokens() as tf.Tensor3D, cache, memory, 0)).toThrow(/step input must be \[2, 1, dim\]/);
    expect(() => block.apply([tokens(), tf.ones([2, 2, 2, 2])])).toThrow(/got ranks \[3,4\]/);
  });
});
