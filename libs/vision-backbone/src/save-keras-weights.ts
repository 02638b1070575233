// Writes a tfjs-layers model's weights in the layouts Keras reads and writes (h5wasm writes HDF5): Keras 2
// `save_weights` (`model.load_weights("….h5")` in Keras, and the applications' `efficientnetbN_notop.h5` layout),
// or Keras 3's `.weights.h5`. Fixed-length ASCII string attributes, as h5py writes Keras's numpy byte strings.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import h5wasm from 'h5wasm/node';

export interface SaveKerasWeightsOptions {
  layout: 'keras2' | 'keras3';
  /** Replace, reshape or drop a weight (`layer/weight` name) before writing, to fake a file from another model. */
  transform?: (name: string, value: tf.Tensor) => tf.Tensor | null;
}

const fixedStrings = (values: string[]) => `A${Math.max(1, ...values.map((v) => v.length))}`;

function typedValues(value: tf.Tensor): Float32Array | BigInt64Array {
  // Keras keeps Normalization's count as int64.
  return value.dtype === 'int32' ? BigInt64Array.from(value.dataSync() as Int32Array, (v) => BigInt(v)) : (value.dataSync() as Float32Array);
}

/** Saves every weight of `model` to `path` by layer name, in Keras 2 or Keras 3 layout. */
export async function saveKerasWeightsFile(model: tfl.LayersModel, path: string, options: SaveKerasWeightsOptions): Promise<void> {
  await h5wasm.ready;
  const file = new h5wasm.File(path, 'w');
  try {
    const layers = model.layers.filter((layer) => layer.weights.length > 0);
    const root = options.layout === 'keras2' ? file : file.create_group('layers');
    if (options.layout === 'keras2') {
      const names = layers.map((l) => l.name);
      file.create_attribute('layer_names', names, [names.length], fixedStrings(names));
      file.create_attribute('backend', 'tensorflow');
      file.create_attribute('keras_version', '2.13.1');
    }
    for (const layer of layers) {
      const group = root.create_group(layer.name);
      const kept = layer.weights
        .map((w) => ({ short: w.originalName.split('/').pop()!, value: options.transform ? options.transform(`${layer.name}/${w.originalName.split('/').pop()}`, w.read()) : w.read() }))
        .filter((w): w is { short: string; value: tf.Tensor } => w.value !== null);
      if (options.layout === 'keras2') {
        const weightNames = kept.map((w) => `${layer.name}/${w.short}:0`);
        group.create_attribute('weight_names', weightNames, [weightNames.length], fixedStrings(weightNames));
        const inner = group.create_group(layer.name);
        for (const w of kept) inner.create_dataset({ name: `${w.short}:0`, data: typedValues(w.value), shape: w.value.shape });
      } else {
        const vars = group.create_group('vars');
        kept.forEach((w, i) => vars.create_dataset({ name: String(i), data: typedValues(w.value), shape: w.value.shape }));
      }
    }
  } finally {
    file.close();
  }
}
