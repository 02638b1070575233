import * as tf from '@tensorflow/tfjs-core';
import { CaptionModel, generateFromFeatures } from '@imgcap/captioner/model';
import { selectBackend } from '@imgcap/tf-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { SEARCH_TOKENS, suppressEndMarker } from './latency.mjs';

const TINY = {
  vocabSize: 12,
  seqLength: 8,
  embedDim: 16,
  ffDim: 32,
  encHeads: 2,
  decHeads: 2,
  dropout: 0,
  backbone: 'patch4@8',
  imageSize: 8,
  featureShape: [4, 48],
};

beforeAll(() => selectBackend({ backend: 'wasm', log: () => {} }));

describe('suppressEndMarker', () => {
  it('makes greedy and beam captions run to maxLength, without leaking tensors', async () => {
    const model = new CaptionModel(TINY);
    // A bias that makes the end marker win every step: without the suppression captions are empty.
    const [kernel] = model.logitsLayer.getWeights();
    const favoured = tf.tensor1d(
      Array.from({ length: TINY.vocabSize }, (_, id) => (id === SEARCH_TOKENS.end ? 1e3 : 0)),
    );
    model.logitsLayer.setWeights([kernel, favoured]);
    favoured.dispose();
    const features = tf.randomUniform([2, ...TINY.featureShape], 0, 1, 'float32', 1);
    const [early] = await generateFromFeatures(model, features, SEARCH_TOKENS);
    expect(early.tokens).toHaveLength(0);

    const before = tf.memory().numTensors;
    suppressEndMarker(model);
    expect(tf.memory().numTensors).toBe(before);
    for (const beamWidth of [1, 3]) {
      const captions = await generateFromFeatures(model, features, SEARCH_TOKENS, { beamWidth });
      expect(captions.map((c) => c.tokens.length)).toEqual([TINY.seqLength - 1, TINY.seqLength - 1]);
      expect(captions.every((c) => !c.finished)).toBe(true);
    }
    features.dispose();
    model.dispose();
  });
});
