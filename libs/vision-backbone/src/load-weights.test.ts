import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { rm } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';
import { buildEfficientNet } from './efficientnet.js';
import { inputChannelScaleOf, loadBackboneWeights } from './load-weights.js';
import { writeConvertedWeightsDir } from './test-helpers/converted-weights-dir.js';

const dirs: string[] = [];
const track = (dir: string) => (dirs.push(dir), dir);
const small = { inputShape: [32, 32, 3] as [number, number, 3] };

beforeAll(async () => {
  await tf.setBackend('wasm');
});
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

function maxDifference(a: tfl.LayersModel, b: tfl.LayersModel): number {
  return tf.tidy(() => {
    const image = tf.randomUniform([1, 32, 32, 3], 0, 255, 'float32', 3);
    return tf.max(tf.abs(tf.sub(a.predict(image) as tf.Tensor, b.predict(image) as tf.Tensor))).dataSync()[0];
  });
}

describe('loadBackboneWeights', () => {
  it('loads a multi-shard converted directory by name (including the top-less case and int64-as-float counts)', async () => {
    const source = buildEfficientNet('b0', { includeTop: true, seed: 11, inputShape: [32, 32, 3] });
    const dir = track(
      await writeConvertedWeightsDir(source, {
        shardBytes: 1 << 20,
        transform: (name, value) => ({
          name,
          value: name === 'normalization/count' ? tf.cast(value, 'float32') : value,
        }),
      }),
    );
    const withoutTop = buildEfficientNet('b0', { ...small, seed: 11 });
    const target = buildEfficientNet('b0', { ...small, seed: 22 });
    expect(maxDifference(withoutTop, target)).toBeGreaterThan(0);

    const before = tf.memory().numTensors;
    await loadBackboneWeights(target, dir);
    expect(tf.memory().numTensors).toBe(before);
    expect(maxDifference(withoutTop, target)).toBe(0);
    [source, withoutTop, target].forEach((m) => m.dispose());
  });

  it('names the layer when a weight is missing, and leaves the model unchanged', async () => {
    const source = buildEfficientNet('b0', { ...small, seed: 11 });
    const dir = track(
      await writeConvertedWeightsDir(source, {
        transform: (n, v) => (n === 'block3a_se_reduce/bias' ? null : { name: n, value: v }),
      }),
    );
    const target = buildEfficientNet('b0', { ...small, seed: 22 });
    const untouched = buildEfficientNet('b0', { ...small, seed: 22 });
    const before = tf.memory().numTensors;
    await expect(loadBackboneWeights(target, dir)).rejects.toThrow(
      /Layer 'block3a_se_reduce' weight 'block3a_se_reduce\/bias' \(shape \[6\]\) is missing/,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(maxDifference(untouched, target)).toBe(0);
    [source, target, untouched].forEach((m) => m.dispose());
  });

  it('names the layer and both shapes on a shape mismatch', async () => {
    const source = buildEfficientNet('b0', { ...small });
    const b2TopKernel = tf.zeros([1, 1, 320, 1408]);
    const dir = track(
      await writeConvertedWeightsDir(source, {
        transform: (name, value) => ({ name, value: name === 'top_conv/kernel' ? b2TopKernel : value }),
      }),
    );
    b2TopKernel.dispose();
    await expect(loadBackboneWeights(source, dir)).rejects.toThrow(
      "Layer 'top_conv' weight 'top_conv/kernel' has shape [1, 1, 320, 1280] in the model but [1, 1, 320, 1408] in " +
        dir,
    );
    source.dispose();
  });

  it('rejects a directory without a weights manifest', async () => {
    const target = buildEfficientNet('b0', { ...small });
    await expect(loadBackboneWeights(target, '/nonexistent-imgcap-dir')).rejects.toThrow(/nonexistent-imgcap-dir/);
    target.dispose();
  });
});

describe('inputChannelScaleOf', () => {
  it("reads Keras's per-channel rescaling_1 from a converted topology", () => {
    const topology = {
      model_config: {
        config: {
          layers: [
            { class_name: 'Rescaling', config: { name: 'rescaling', scale: 0.00392156862745098 } },
            { class_name: 'Normalization', config: { name: 'normalization' } },
            { class_name: 'Rescaling', config: { name: 'rescaling_1', scale: [2.0896, 2.1128, 2.1081] } },
          ],
        },
      },
    };
    expect(inputChannelScaleOf(topology)).toEqual([2.0896, 2.1128, 2.1081]);
    expect(inputChannelScaleOf({ model_config: { config: { layers: [] } } })).toBeUndefined();
  });
});
