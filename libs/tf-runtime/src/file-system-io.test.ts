import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSystemIO, registerFileSystemRouter } from './file-system-io.js';
import { loadNamedTensors, saveNamedTensors } from './named-tensors.js';

const createdDirs: string[] = [];
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tf-runtime-io-'));
  createdDirs.push(dir);
  return dir;
}

function trainedModel(): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [tfl.layers.dense({ inputShape: [4], units: 5, activation: 'relu' }), tfl.layers.dense({ units: 2 })],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  return model;
}

const inputs = () =>
  tf.tensor2d([
    [1, 2, 3, 4],
    [0.5, -1, 0, 2],
  ]);
const targets = () =>
  tf.tensor2d([
    [1, 0],
    [0, 1],
  ]);

async function fitOneBatch(model: tfl.LayersModel): Promise<void> {
  const [x, y] = [inputs(), targets()];
  await model.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0, shuffle: false });
  tf.dispose([x, y]);
}

async function predict(model: tfl.LayersModel): Promise<number[]> {
  const x = inputs();
  const y = model.predict(x) as tf.Tensor;
  const values = Array.from(await y.data());
  tf.dispose([x, y]);
  return values;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterAll(async () => {
  await Promise.all(createdDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('fileSystemIO', () => {
  it('round-trips a layers model with its Adam state: same predictions now and after one more step', async () => {
    const dir = await freshDir();
    const model = trainedModel();
    await fitOneBatch(model);
    await model.save(fileSystemIO(dir), { includeOptimizer: true });
    const loaded = await tfl.loadLayersModel(fileSystemIO(dir));
    expect(await predict(loaded)).toEqual(await predict(model));
    // Same Adam moments and step count give the same update; fresh Adam state would not.
    await fitOneBatch(model);
    await fitOneBatch(loaded);
    expect(await predict(loaded)).toEqual(await predict(model));
  });

  it('writes model.json with the tfjs fields and weights.bin, and no pending files', async () => {
    const dir = await freshDir();
    const model = trainedModel();
    await fitOneBatch(model);
    await model.save(fileSystemIO(dir), { includeOptimizer: true });
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(Object.keys(json)).toEqual(
      expect.arrayContaining(['modelTopology', 'weightsManifest', 'format', 'generatedBy', 'trainingConfig']),
    );
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.trainingConfig.optimizer_config.class_name).toBe('Adam');
  });

  it('never pairs an old model.json with new weights when a save stops between its renames', async () => {
    const dir = await freshDir();
    await saveNamedTensors(dir, { w: tf.tensor1d([1, 2]) });
    const stagingDir = await freshDir();
    await saveNamedTensors(stagingDir, { w: tf.tensor1d([7, 8, 9]) });
    // Simulate the crash: new weights.bin renamed into place, model.json.pending not yet renamed.
    await rename(join(stagingDir, 'weights.bin'), join(dir, 'weights.bin'));
    await rename(join(stagingDir, 'model.json'), join(dir, 'model.json.pending'));
    expect(Array.from(await (await loadNamedTensors(dir))['w'].data())).toEqual([7, 8, 9]);
    await saveNamedTensors(dir, { w: tf.tensor1d([5]) });
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    expect(Array.from(await (await loadNamedTensors(dir))['w'].data())).toEqual([5]);
  });

  it('keeps the old pair when a save stops before its renames', async () => {
    const dir = await freshDir();
    await saveNamedTensors(dir, { w: tf.tensor1d([1, 2]) });
    await writeFile(join(dir, 'weights.bin.pending'), new Uint8Array(12));
    await writeFile(join(dir, 'model.json.pending'), '{"weightsMan');
    expect(Array.from(await (await loadNamedTensors(dir))['w'].data())).toEqual([1, 2]);
  });

  it('names the directory when there is no model.json', async () => {
    const dir = await freshDir();
    await expect(fileSystemIO(dir).load()).rejects.toThrow(`fileSystemIO: no model.json in ${dir}`);
  });
});

describe('registerFileSystemRouter', () => {
  it('serves file:// URLs once, and declines to add a second handler', async () => {
    expect(registerFileSystemRouter()).toBe(true);
    expect(registerFileSystemRouter()).toBe(false);
    expect(tf.io.getSaveHandlers('file://x')).toHaveLength(1);
    const dir = await freshDir();
    const model = trainedModel();
    await model.save(`file://${dir}`);
    const loaded = await tfl.loadLayersModel(`file://${join(dir, 'model.json')}`);
    expect(await predict(loaded)).toEqual(await predict(model));
  });
});

describe('saveNamedTensors / loadNamedTensors', () => {
  it('round-trips names, shapes, dtypes and values without leaking tensors', async () => {
    const dir = await freshDir();
    const before = tf.memory().numTensors;
    const tensors = {
      'decoder/embedding': tf.tensor2d([
        [1.5, -2],
        [3, 4],
      ]),
      'vocab/ids': tf.tensor1d([3, 1, 2], 'int32'),
    };
    await saveNamedTensors(dir, tensors, { vocabSize: 3 });
    const loaded = await loadNamedTensors(dir);
    expect(Object.keys(loaded).sort()).toEqual(['decoder/embedding', 'vocab/ids']);
    expect(loaded['decoder/embedding'].shape).toEqual([2, 2]);
    expect(loaded['vocab/ids'].dtype).toBe('int32');
    expect(await loaded['decoder/embedding'].array()).toEqual([
      [1.5, -2],
      [3, 4],
    ]);
    expect(await loaded['vocab/ids'].array()).toEqual([3, 1, 2]);
    expect((await fileSystemIO(dir).load()).userDefinedMetadata).toEqual({ vocabSize: 3 });
    tf.dispose([tensors, loaded]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
