// Writes a directory in the layout `tensorflowjs_converter --input_format keras` produces (model.json with
// one weights group split into shards, Keras-style names), from the weights of a model built here.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

export interface ConvertedDirOptions {
  /** Rename or reshape entries before writing, to fake a file from another model. */
  transform?: (name: string, value: tf.Tensor) => { name: string; value: tf.Tensor } | null;
  /** Shard size in bytes (the converter's default is 4 MiB); small values exercise multi-shard groups. */
  shardBytes?: number;
  modelTopology?: unknown;
}

export async function writeConvertedWeightsDir(
  model: tfl.LayersModel,
  options: ConvertedDirOptions = {},
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'imgcap-backbone-'));
  const named: Array<{ name: string; tensor: tf.Tensor }> = [];
  for (const variable of model.weights) {
    const value = variable.read();
    const entry = options.transform
      ? options.transform(variable.originalName, value)
      : { name: variable.originalName, value };
    // The converter strips Keras's `:0` suffix; keep one name in that raw form to test both spellings.
    if (entry)
      named.push({ name: entry.name === 'stem_conv/kernel' ? 'stem_conv/kernel:0' : entry.name, tensor: entry.value });
  }
  const { data, specs } = await tf.io.encodeWeights(named);
  const bytes = new Uint8Array(data as ArrayBuffer);
  const shardBytes = options.shardBytes ?? 4 * 1024 * 1024;
  const count = Math.max(1, Math.ceil(bytes.byteLength / shardBytes));
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = `group1-shard${i + 1}of${count}.bin`;
    await writeFile(join(dir, path), bytes.subarray(i * shardBytes, (i + 1) * shardBytes));
    paths.push(path);
  }
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'keras v2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: options.modelTopology ?? { class_name: 'Functional', config: { layers: [] } },
    weightsManifest: [{ paths, weights: specs }],
  };
  await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
  return dir;
}
