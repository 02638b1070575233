import * as tf from '@tensorflow/tfjs-core';
import { input, layers, loadLayersModel, model, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import {
  PositionEmbedding,
  TokenAndPositionEmbedding,
  TransformerDecoderBlock,
  TransformerEncoderBlock,
} from './index.js';
import { expectClose, useCpuBackend } from './test-helpers/layer-contract.js';

const VOCAB = 7;
const GRID = 4;
const FEATURES = 6;
const SEQ = 5;

/** A tiny captioner: image grid features + caption tokens (+ padding) → next-token logits. */
function toyCaptioner(): LayersModel {
  const grid = input({ shape: [GRID, FEATURES], name: 'grid' });
  const tokenIds = input({ shape: [SEQ], name: 'tokens' });
  const padding = input({ shape: [SEQ], name: 'padding' });
  const gridTokens = new PositionEmbedding({ sequenceLength: GRID }).apply(grid) as SymbolicTensor;
  const encoded = new TransformerEncoderBlock({ intermediateDim: 8, numHeads: 2, dropout: 0.1 }).apply(
    gridTokens,
  ) as SymbolicTensor;
  const embedded = new TokenAndPositionEmbedding({ vocabSize: VOCAB, sequenceLength: SEQ, embedDim: 8 }).apply(
    tokenIds,
  ) as SymbolicTensor;
  const decoded = new TransformerDecoderBlock({ intermediateDim: 16, numHeads: 2, dropout: 0.1 }).apply([
    embedded,
    encoded,
    padding,
  ]) as SymbolicTensor;
  const logits = layers.dense({ units: VOCAB }).apply(decoded) as SymbolicTensor;
  return model({ inputs: [grid, tokenIds, padding], outputs: logits });
}

function batch() {
  return [
    tf.randomNormal([2, GRID, FEATURES], 0, 1, 'float32', 11),
    tf.tensor2d([
      [1, 3, 4, 2, 0],
      [1, 5, 2, 0, 0],
    ]),
    tf.tensor2d([
      [1, 1, 1, 1, 0],
      [1, 1, 1, 0, 0],
    ]),
  ];
}

describe('encoder + decoder stack in a functional model', () => {
  useCpuBackend();

  it('one optimizer step (model.trainOnBatch) changes every trainable weight', async () => {
    const m = toyCaptioner();
    m.compile({
      optimizer: tf.train.adam(0.01),
      loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred),
    });
    const targets = tf.oneHot(
      tf.tensor2d(
        [
          [3, 4, 2, 0, 0],
          [5, 2, 0, 0, 0],
        ],
        undefined,
        'int32',
      ),
      VOCAB,
    );
    const before = m.trainableWeights.map((w) => w.read().clone());
    expect(before.length).toBe(1 + 16 + 2 + 26 + 2);
    await m.trainOnBatch(batch(), targets);
    m.trainableWeights.forEach((w, i) => {
      const changed = tf.tidy(() => tf.any(tf.notEqual(w.read(), before[i])).dataSync()[0]);
      expect(changed, w.originalName).toBe(1);
    });
  });

  it('saves and loads (in-memory artefacts) with identical outputs', async () => {
    const m = toyCaptioner();
    const x = batch();
    const expected = m.predict(x) as tf.Tensor;
    let artifacts: tf.io.ModelArtifacts | null = null;
    await m.save(
      tf.io.withSaveHandler(async (saved) => {
        artifacts = saved;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await loadLayersModel(tf.io.fromMemory(artifacts!));
    await expectClose(loaded.predict(x) as tf.Tensor, expected, 0);
    expect(loaded.layers.map((l) => l.getClassName())).toContain('ImgcapTransformerDecoderBlock');
  });
});
