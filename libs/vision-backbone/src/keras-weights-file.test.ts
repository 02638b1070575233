import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEfficientNet } from './efficientnet.js';
import { createFeatureExtractor } from './feature-extractor.js';
import { loadBackboneWeights } from './load-weights.js';
import { writeConvertedWeightsDir } from './test-helpers/converted-weights-dir.js';
import { saveKerasWeightsFile as writeKerasWeightsFile } from './save-keras-weights.js';

let dir: string;
const cleanup: string[] = [];
beforeAll(async () => {
  await tf.setBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'imgcap-keras-h5-'));
});
afterAll(async () => {
  await Promise.all([dir, ...cleanup].map((d) => rm(d, { recursive: true, force: true })));
});

const IMAGENET_STDDEV = [0.229, 0.224, 0.225];
const KERAS_SCALE = IMAGENET_STDDEV.map((s) => 1 / Math.sqrt(s));

/** A B0 whose input statistics are Keras's ImageNet ones, as `EfficientNetB0(weights="imagenet")` builds it. */
function imagenetLikeB0(seed: number, inputChannelScale?: number[]): tfl.LayersModel {
  const model = buildEfficientNet('b0', { inputShape: [64, 64, 3], seed, inputChannelScale });
  const normalization = model.getLayer('normalization');
  const [, , count] = normalization.getWeights();
  normalization.setWeights([tf.tensor1d([0.485, 0.456, 0.406]), tf.tensor1d(IMAGENET_STDDEV), count!]);
  return model;
}

const images = () => tf.randomUniform([2, 64, 64, 3], 0, 255, 'float32', 5) as tf.Tensor4D;
const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

describe('EfficientNet weights from Keras files', () => {
  it("an ImageNet .h5 (Keras 2 layout) and the equivalent converter directory give identical features, Keras's 1/√stddev rescaling applied", async () => {
    const source = imagenetLikeB0(9, KERAS_SCALE);
    const h5 = join(dir, 'efficientnetb0_notop.h5');
    await writeKerasWeightsFile(source, h5, { layout: 'keras2' });
    const modelTopology = {
      model_config: {
        config: { layers: [{ class_name: 'Rescaling', config: { name: 'rescaling_1', scale: KERAS_SCALE } }] },
      },
    };
    const converted = await writeConvertedWeightsDir(source, { modelTopology });
    cleanup.push(converted);
    const fromH5 = await createFeatureExtractor({ kind: 'efficientnet', variant: 'b0', imageSize: 64, weightsDir: h5 });
    const fromDir = await createFeatureExtractor({
      kind: 'efficientnet',
      variant: 'b0',
      imageSize: 64,
      weightsDir: converted,
    });
    expect(fromH5.id).toBe('efficientnet-b0@64');
    const batch = images();
    const [a, b] = [fromH5.extract(batch), fromDir.extract(batch)];
    const expected = tf.reshape(source.predict(batch) as tf.Tensor, [2, 4, 1280]);
    expect(maxAbsDiff(a, b)).toBe(0);
    expect(maxAbsDiff(a, expected)).toBeLessThan(1e-5);
    tf.dispose([batch, a, b, expected]);
    [fromH5, fromDir].forEach((e) => e.dispose());
    source.dispose();
  });

  it('reads Keras 3 .weights.h5 and a .keras archive (variables by position) to the same weights', async () => {
    const source = buildEfficientNet('b0', { inputShape: [32, 32, 3], seed: 4 });
    const v3 = join(dir, 'b0.weights.h5');
    await writeKerasWeightsFile(source, v3, { layout: 'keras3' });
    const archive = join(dir, 'b0.keras');
    await writeFile(
      archive,
      zipSync({
        'metadata.json': new TextEncoder().encode('{"keras_version": "3.5.0"}'),
        'model.weights.h5': new Uint8Array(await readFile(v3)),
      }),
    );
    for (const file of [v3, archive]) {
      const target = buildEfficientNet('b0', { inputShape: [32, 32, 3], seed: 5 });
      await loadBackboneWeights(target, file);
      const probe = tf.randomUniform([1, 32, 32, 3], 0, 255, 'float32', 1);
      expect(maxAbsDiff(target.predict(probe) as tf.Tensor, source.predict(probe) as tf.Tensor)).toBe(0);
      tf.dispose(probe);
      target.dispose();
    }
    source.dispose();
  });

  it("applies no rescaling to a file whose statistics are not ImageNet's (a model built with weights=None)", async () => {
    const source = buildEfficientNet('b0', { inputShape: [64, 64, 3], seed: 3 });
    const h5 = join(dir, 'plain.h5');
    await writeKerasWeightsFile(source, h5, { layout: 'keras2' });
    const extractor = await createFeatureExtractor({
      kind: 'efficientnet',
      variant: 'b0',
      imageSize: 64,
      weightsDir: h5,
    });
    const batch = images();
    const [a, expected] = [extractor.extract(batch), tf.reshape(source.predict(batch) as tf.Tensor, [2, 4, 1280])];
    expect(maxAbsDiff(a, expected)).toBeLessThan(1e-5);
    tf.dispose([batch, a, expected]);
    extractor.dispose();
    source.dispose();
  });

  it('names the variant when B0 weights are given to a B1 model, and leaves the model unchanged', async () => {
    const b0 = buildEfficientNet('b0', { inputShape: [32, 32, 3], seed: 1 });
    const h5 = join(dir, 'efficientnetb0_notop-for-b1.h5');
    await writeKerasWeightsFile(b0, h5, { layout: 'keras2' });
    const b1 = buildEfficientNet('b1', { inputShape: [32, 32, 3], seed: 2 });
    const probe = () =>
      ['stem_conv', 'block1a_dwconv', 'top_conv'].map((name) =>
        Array.from(b1.getLayer(name).getWeights()[0]!.dataSync().slice(0, 64)),
      );
    const before = probe();
    await expect(loadBackboneWeights(b1, h5)).rejects.toThrow(
      /is missing from .*efficientnetb0_notop-for-b1\.h5|another EfficientNet variant/,
    );
    expect(probe()).toEqual(before);
    // A shape mismatch (here: a stem from a wider variant) names the layer, both shapes and the likely cause.
    const widened = join(dir, 'wide-stem.h5');
    await writeKerasWeightsFile(b0, widened, {
      layout: 'keras2',
      transform: (name, v) => (name === 'stem_conv/kernel' ? tf.zeros([3, 3, 3, 40]) : v),
    });
    await expect(loadBackboneWeights(b0, widened)).rejects.toThrow(
      /Layer 'stem_conv' weight 'stem_conv\/kernel' has shape \[3, 3, 3, 32\].*but \[3, 3, 3, 40\].*another EfficientNet variant/,
    );
    [b0, b1].forEach((m) => m.dispose());
  });

  it('refuses a truncated file, a file that is not HDF5 and an HDF5 file that holds no Keras weights, naming each', async () => {
    const source = buildEfficientNet('b0', { inputShape: [32, 32, 3], seed: 1 });
    const whole = join(dir, 'whole.h5');
    await writeKerasWeightsFile(source, whole, { layout: 'keras2' });
    const bytes = await readFile(whole);
    const truncated = join(dir, 'truncated.h5');
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(loadBackboneWeights(source, truncated)).rejects.toThrow(/truncated\.h5/);
    const text = join(dir, 'notes.h5');
    await writeFile(text, 'these are not weights');
    await expect(loadBackboneWeights(source, text)).rejects.toThrow(/notes\.h5 is not an HDF5 file/);
    const other = join(dir, 'other.h5');
    const h5wasm = (await import('h5wasm/node')).default;
    await h5wasm.ready;
    const file = new h5wasm.File(other, 'w');
    file.create_dataset({ name: 'x', data: new Float32Array(3) });
    file.close();
    await expect(loadBackboneWeights(source, other)).rejects.toThrow(/other\.h5 is an HDF5 file but not Keras weights/);
    source.dispose();
  });
});
