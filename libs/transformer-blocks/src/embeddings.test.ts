import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { PositionEmbedding, TokenAndPositionEmbedding } from './embeddings.js';
import { describeLayerContract, expectClose, useCpuBackend } from './test-helpers/layer-contract.js';

const tokenIds = () =>
  tf.tensor2d([
    [1, 2, 3],
    [4, 0, 0],
  ]);

describeLayerContract('TokenAndPositionEmbedding', {
  create: () => new TokenAndPositionEmbedding({ vocabSize: 5, sequenceLength: 4, embedDim: 6, scaleBySqrtDim: true }),
  inputs: tokenIds,
  outputShape: [2, 3, 6],
  weightCount: 2,
});

describeLayerContract('PositionEmbedding', {
  create: () => new PositionEmbedding({ sequenceLength: 5 }),
  inputs: () => tf.randomNormal([2, 4, 3], 0, 1, 'float32', 3),
  outputShape: [2, 4, 3],
  weightCount: 1,
});

describe('TokenAndPositionEmbedding', () => {
  useCpuBackend();

  it('gives the same token a different vector at each position', async () => {
    const layer = new TokenAndPositionEmbedding({ vocabSize: 5, sequenceLength: 4, embedDim: 6 });
    const y = layer.apply(tf.tensor2d([[2, 2]])) as tf.Tensor;
    const [first, second] = tf.unstack(tf.squeeze(y, [0]));
    const [tokenTable, positionTable] = layer.getWeights();
    const row = (table: tf.Tensor, i: number) => tf.squeeze(tf.slice(table, [i, 0], [1, 6]));
    await expectClose(tf.sub(second, first), tf.sub(row(positionTable, 1), row(positionTable, 0)), 1e-6);
    await expectClose(first, tf.add(row(tokenTable, 2), row(positionTable, 0)), 1e-6);
  });

  it('scales token vectors by √embedDim when scaleBySqrtDim is set', async () => {
    const plain = new TokenAndPositionEmbedding({ vocabSize: 5, sequenceLength: 4, embedDim: 4 });
    const scaled = new TokenAndPositionEmbedding({
      vocabSize: 5,
      sequenceLength: 4,
      embedDim: 4,
      scaleBySqrtDim: true,
    });
    plain.apply(tokenIds());
    scaled.apply(tokenIds());
    const [tokens, positions] = plain.getWeights();
    scaled.setWeights([tokens, positions]);
    const expected = tf.add(
      tf.mul(tf.gather(tokens, tf.tensor2d([[3]], undefined, 'int32')), 2),
      tf.slice(positions, [0, 0], [1, 4]),
    );
    await expectClose(scaled.apply(tf.tensor2d([[3]])) as tf.Tensor, expected, 1e-6);
  });

  it('embedAt(ids, start) equals the matching rows of a full call (incremental decoding)', async () => {
    const layer = new TokenAndPositionEmbedding({ vocabSize: 5, sequenceLength: 4, embedDim: 6 });
    const full = layer.apply(tokenIds()) as tf.Tensor;
    const atTwo = layer.embedAt(tf.tensor2d([[3], [0]]), 2);
    await expectClose(atTwo, tf.slice(full, [0, 2, 0], [2, 1, 6]), 0);
  });

  it('refuses sequences longer than sequenceLength, naming both', () => {
    const layer = new TokenAndPositionEmbedding({ vocabSize: 5, sequenceLength: 2, embedDim: 6 });
    expect(() => layer.apply(tokenIds())).toThrow(/positions \[0, 3\) do not fit sequenceLength 2/);
  });

  it('rejects a bad config value, naming it', () => {
    expect(() => new TokenAndPositionEmbedding({ vocabSize: 0, sequenceLength: 2, embedDim: 6 })).toThrow(
      /vocabSize must be a positive integer, got 0/,
    );
  });
});

describe('PositionEmbedding', () => {
  useCpuBackend();

  it('adds the same learned vector to every batch item at a given position', async () => {
    const layer = new PositionEmbedding({ sequenceLength: 5 });
    const x = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 4);
    const added = tf.sub(layer.apply(x) as tf.Tensor, x);
    const table = tf.slice(layer.getWeights()[0], [0, 0], [3, 4]);
    await expectClose(added, tf.stack([table, table]), 1e-6);
  });
});
