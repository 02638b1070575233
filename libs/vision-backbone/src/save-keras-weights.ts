// Writes weights in the layouts Keras reads and writes (h5wasm writes HDF5): Keras 2 `save_weights`
// (`model.load_weights("….h5")` in Keras, and the applications' `efficientnetbN_notop.h5` layout), or Keras 3's
// `.weights.h5`. Fixed-length ASCII string attributes, as h5py writes Keras's numpy byte strings.
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import h5wasm from 'h5wasm/node';
import { quietH5wasm } from './keras-weights-file.js';

/** One top-level layer of a weights file and its variables, each with its whole Keras name (`dense/kernel:0`). */
export interface KerasWeightGroup {
  layer: string;
  weights: Array<{ name: string; value: tf.Tensor }>;
}

export interface SaveKerasWeightsOptions {
  layout: 'keras2' | 'keras3';
  /** Replace, reshape or drop a weight (`layer/weight` name) before writing, to fake a file from another model. */
  transform?: (name: string, value: tf.Tensor) => tf.Tensor | null;
}

const fixedStrings = (values: string[]) => `A${Math.max(1, ...values.map((v) => v.length))}`;

/** Read asynchronously: WebGPU has no synchronous read in Node. */
async function typedValues(value: tf.Tensor): Promise<Float32Array | BigInt64Array> {
  const data = await value.data();
  // Keras keeps Normalization's count as int64.
  return value.dtype === 'int32' ? BigInt64Array.from(data as Int32Array, (v) => BigInt(v)) : (data as Float32Array);
}

type H5Group = InstanceType<typeof h5wasm.Group>;

/**
 * `save_attributes_to_hdf5_group`: names as fixed-length byte strings, and an empty list as h5py stores `[]` (an
 * empty float64 array), so Keras's own loader sees exactly what it writes.
 */
function writeNameList(group: H5Group, name: string, names: string[]): void {
  if (names.length === 0) group.create_attribute(name, new Float64Array(0), [0], '<d');
  else group.create_attribute(name, names, [names.length], fixedStrings(names));
}

/**
 * Writes `groups` as Keras 2 `save_weights` does: root `layer_names`, per group `weight_names`, a dataset per
 * weight at `<layer>/<weight name>` (a name with slashes makes nested groups, as in h5py).
 */
export async function saveKerasWeightGroups(
  path: string,
  groups: readonly KerasWeightGroup[],
  layout: 'keras2' | 'keras3' = 'keras2',
): Promise<void> {
  await quietH5wasm();
  const file = new h5wasm.File(path, 'w');
  try {
    const root = layout === 'keras2' ? file : file.create_group('layers');
    if (layout === 'keras2') {
      writeNameList(
        file,
        'layer_names',
        groups.map((g) => g.layer),
      );
      file.create_attribute('backend', 'tensorflow');
      file.create_attribute('keras_version', '2.13.1');
    }
    for (const { layer, weights } of groups) {
      const group = root.create_group(layer);
      if (layout === 'keras3') {
        const vars = group.create_group('vars');
        for (const [i, w] of weights.entries())
          vars.create_dataset({ name: String(i), data: await typedValues(w.value), shape: w.value.shape });
        continue;
      }
      writeNameList(
        group,
        'weight_names',
        weights.map((w) => w.name),
      );
      for (const w of weights) {
        const parts = w.name.split('/');
        let parent = group;
        for (const part of parts.slice(0, -1))
          parent = (parent.get(part) as typeof group | null) ?? parent.create_group(part);
        const data = await typedValues(w.value);
        parent.create_dataset({ name: parts[parts.length - 1]!, data, shape: w.value.shape });
      }
    }
    // Keras 2.13 also saves the model's own variables (none for the models written here) in this group.
    if (layout === 'keras2') writeNameList(file.create_group('top_level_model_weights'), 'weight_names', []);
  } finally {
    file.close();
  }
}

/** Saves every weight of `model` to `path` by layer name, in Keras 2 or Keras 3 layout. */
export async function saveKerasWeightsFile(
  model: tfl.LayersModel,
  path: string,
  options: SaveKerasWeightsOptions,
): Promise<void> {
  const groups = model.layers
    .filter((layer) => layer.weights.length > 0)
    .map((layer) => ({
      layer: layer.name,
      weights: layer.weights.flatMap((w) => {
        const short = w.originalName.split('/').pop()!;
        const value = options.transform ? options.transform(`${layer.name}/${short}`, w.read()) : w.read();
        return value ? [{ name: `${layer.name}/${short}:0`, value }] : [];
      }),
    }));
  await saveKerasWeightGroups(path, groups, options.layout);
}
