// Keras's files as Keras writes them: every fixture here was written by h5py following Keras's own save code
// (fixtures/keras-h5/generate.py says which Keras function each one mirrors), never by imgcap's writer.
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEfficientNet } from './efficientnet.js';
import { createFeatureExtractor } from './feature-extractor.js';
import { readKerasWeightsFile, type KerasLayerWeights } from './keras-weights-file.js';
import { fixtureValues, kerasFixture } from './test-helpers/keras-fixtures.js';

const unpacked: string[] = [];
async function fixture(file: string): Promise<string> {
  const path = await kerasFixture(file);
  if (file.endsWith('.gz')) unpacked.push(dirname(path));
  return path;
}
beforeAll(async () => {
  await tf.setBackend('wasm');
});
afterAll(async () => {
  await Promise.all(unpacked.map((d) => rm(d, { recursive: true, force: true })));
});

/** The small functional model every layout fixture holds: layer → [weight name, shape]. */
const SMALL: Array<[string, Array<[string, number[]]>]> = [
  ['input_1', []],
  [
    'dense',
    [
      ['dense/kernel:0', [4, 3]],
      ['dense/bias:0', [3]],
    ],
  ],
  ['dropout', []],
  [
    'batch_normalization',
    ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((w) => [`batch_normalization/${w}:0`, [3]]),
  ],
  [
    'dense_1',
    [
      ['dense_1/kernel:0', [3, 2]],
      ['dense_1/bias:0', [2]],
    ],
  ],
];

/** Every stored variable has the generator's values, shape and (where the layout keeps names) name. */
function expectSmallModel(layers: KerasLayerWeights, named: boolean): void {
  // Keras 3 layouts keep a group for each weightless layer too, listed by name (HDF5 keeps no creation order).
  const order = (names: string[]) => (named ? names : [...names].sort());
  expect([...layers.keys()]).toEqual(order(SMALL.map(([layer]) => layer)));
  for (const [layer, weights] of SMALL) {
    const stored = layers.get(layer)!;
    expect(stored.map((v) => v.fullName)).toEqual(named ? weights.map(([name]) => name) : weights.map(() => null));
    stored.forEach((variable, i) => {
      const [name, shape] = weights[i]!;
      expect(variable.shape).toEqual(shape);
      expect(Array.from(variable.values)).toEqual(Array.from(fixtureValues(name, shape)));
    });
  }
}

describe("Keras 2 .h5 files as Keras 2.13's save code writes them (h5py fixtures)", () => {
  it('reads save_weights: a layer without weights (an empty float64 weight_names) has no variables', async () => {
    expectSmallModel(await readKerasWeightsFile(await fixture('keras2_save_weights.h5')), true);
  });

  it('reads names stored as variable-length UTF-8 strings the same as fixed-length ones', async () => {
    expectSmallModel(await readKerasWeightsFile(await fixture('keras2_vlen_names.h5')), true);
  });

  it('reads a whole-model model.save file (model_weights/, optimizer_weights/ ignored)', async () => {
    expectSmallModel(await readKerasWeightsFile(await fixture('keras2_model_save.h5')), true);
  });

  it('joins layer_names and weight_names split past the 64 KiB header limit (name0, name1…), in order', async () => {
    const layers = await readKerasWeightsFile(await fixture('keras2_chunked_names.h5.gz'));
    const names = [...layers.keys()];
    expect(names).toHaveLength(5 + 330 + 1);
    expect(names.slice(0, 3)).toEqual(['input_1', 'dense', 'activation_0000_' + 'x'.repeat(184)]);
    expect(names.at(-1)).toBe('dense_1');
    const wide = layers.get('wide_dense')!;
    expect(wide).toHaveLength(330);
    wide.forEach((variable, i) => {
      const name = `wide_dense/vector_${String(i).padStart(4, '0')}_${'y'.repeat(170)}:0`;
      expect(variable.fullName).toBe(name);
      expect(Array.from(variable.values)).toEqual(Array.from(fixtureValues(name, [2])));
    });
  });
});

describe('Keras 3 .weights.h5 and .keras archives (h5py fixtures, zipped as Keras zips them)', () => {
  it.each(['keras3_model.weights.h5', 'keras3_model.keras', 'keras213_model.keras'])(
    '%s: variables by position, every layer group kept',
    async (file) => {
      expectSmallModel(await readKerasWeightsFile(await fixture(file)), false);
    },
  );
});

describe('efficientnetb1_notop.h5 in the layout Keras publishes it (340 groups, 155 without weights)', () => {
  it('loads into B1 and gives the features of a B1 holding the same weights', async () => {
    const file = await fixture('efficientnetb1_notop.h5.gz');
    const layers = await readKerasWeightsFile(file);
    expect(layers.size).toBe(339); // layer_names; the 340th group is top_level_model_weights
    expect([...layers.values()].filter((v) => v.length === 0)).toHaveLength(154);

    const extractor = await createFeatureExtractor({
      kind: 'efficientnet',
      variant: 'b1',
      imageSize: 64,
      weightsDir: file,
    });
    // The reference: the same weights set by name, and Keras's 1/√stddev rescaling for ImageNet statistics.
    const reference = buildEfficientNet('b1', {
      inputShape: [64, 64, 3],
      inputChannelScale: [0.229, 0.224, 0.225].map((s) => 1 / Math.sqrt(s)),
    });
    for (const layer of reference.layers) {
      if (layer.weights.length === 0) continue;
      const values = layer.weights.map((w) => {
        const name = `${layer.name}/${w.originalName.split('/').pop()}:0`;
        const stored = fixtureValues(name, w.shape as number[]);
        return stored instanceof BigInt64Array
          ? tf.tensor(Array.from(stored, Number), w.shape as number[], w.dtype)
          : tf.tensor(stored, w.shape as number[]);
      });
      layer.setWeights(values);
      tf.dispose(values);
    }
    const images = tf.randomUniform([2, 64, 64, 3], 0, 255, 'float32', 3) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const features = extractor.extract(images);
    expect(tf.memory().numTensors).toBe(before + 1);
    const expected = tf.reshape(reference.predict(images) as tf.Tensor, [2, 4, 1280]);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(features, expected))).dataSync()[0]!);
    const scale = tf.tidy(() => tf.max(tf.abs(expected)).dataSync()[0]!);
    expect(scale).toBeGreaterThan(1e-3);
    expect(diff).toBeLessThanOrEqual(1e-6 * scale);
    tf.dispose([images, features, expected]);
    extractor.dispose();
    reference.dispose();
  }, 120_000);
});
