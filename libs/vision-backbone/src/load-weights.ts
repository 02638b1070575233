// Loads Keras weights into a model built here, matching by `layer/weight` name: from a directory written by
// `tensorflowjs_converter --input_format keras` (model.json with a weightsManifest plus binary shards), or
// straight from Keras's own files (`.h5` as Keras's applications publish them, Keras 3 `.weights.h5`, `.keras`;
// see keras-weights-file.ts). Reading with node:fs avoids needing tfjs-node's file:// handler.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  isKerasWeightsFile,
  readKerasWeightsFile,
  type KerasLayerWeights,
  type StoredVariable,
} from './keras-weights-file.js';

type WeightsGroup = tf.io.WeightsManifestConfig[number];

interface ConvertedModelJson {
  modelTopology?: unknown;
  weightsManifest: WeightsGroup[];
}

export async function readConvertedModelJson(dir: string): Promise<ConvertedModelJson> {
  const path = join(dir, 'model.json');
  const json = JSON.parse(await readFile(path, 'utf8')) as Partial<ConvertedModelJson>;
  if (!Array.isArray(json.weightsManifest)) {
    throw new Error(
      `${path} has no weightsManifest array; expected the output of tensorflowjs_converter --input_format keras`,
    );
  }
  return json as ConvertedModelJson;
}

/** `block1a_dwconv/depthwise_kernel:0` or `model/block1a_dwconv/depthwise_kernel` → `block1a_dwconv/depthwise_kernel`. */
function weightKey(name: string): string {
  return name.replace(/:\d+$/, '').split('/').slice(-2).join('/');
}

async function decodeManifest(dir: string, manifest: WeightsGroup[]): Promise<tf.NamedTensorMap> {
  const byKey: tf.NamedTensorMap = {};
  for (const group of manifest) {
    const shards = await Promise.all(group.paths.map((p) => readFile(join(dir, p))));
    const bytes = Buffer.concat(shards);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const decoded = tf.io.decodeWeights(buffer, group.weights);
    for (const [name, tensor] of Object.entries(decoded)) byKey[weightKey(name)] = tensor;
  }
  return byKey;
}

const shapeText = (shape: readonly (number | null)[]): string => `[${shape.join(', ')}]`;

/** A stored variable as a tfjs tensor (int64 → int32, float64 → float32: dtypes tfjs has). */
export function storedTensor(variable: StoredVariable): tf.Tensor {
  const { values, shape } = variable;
  // int64 (Normalization's count) and float64 arrive as BigInt64Array / Float64Array, which tfjs does not take.
  if (values instanceof BigInt64Array) return tf.tensor(Int32Array.from(values, Number), shape, 'int32');
  if (values instanceof Float64Array) return tf.tensor(Float32Array.from(values), shape, 'float32');
  return tf.tensor(values, shape);
}

/**
 * A Keras weights file's variables keyed `layer/weight` like a converted directory's. Layouts that store no
 * names (Keras 3's `vars/<i>`) take the model's own names by position: Keras and these layers create their
 * variables in the same order (kernel, bias; gamma, beta, moving_mean, moving_variance; mean, variance, count).
 */
function keyKerasWeights(model: tfl.LayersModel, layers: KerasLayerWeights): tf.NamedTensorMap {
  const byKey: tf.NamedTensorMap = {};
  for (const [layerName, variables] of layers) {
    const modelLayer = model.layers.find((l) => l.name === layerName);
    variables.forEach((variable, i) => {
      const name =
        variable.name ??
        (modelLayer ? weightKey(modelLayer.weights[i]?.originalName ?? `#${i}`).split('/')[1] : `#${i}`);
      byKey[`${layerName}/${name}`] = storedTensor(variable);
    });
  }
  return byKey;
}

/** The weights at `location` keyed `layer/weight`: a converted directory, or a Keras `.h5`/`.keras` file. */
async function readStoredWeights(model: tfl.LayersModel, location: string): Promise<tf.NamedTensorMap> {
  if (isKerasWeightsFile(location)) return keyKerasWeights(model, await readKerasWeightsFile(location));
  const { weightsManifest } = await readConvertedModelJson(location);
  return decodeManifest(location, weightsManifest);
}

/**
 * Copies every weight of `model` from `location`: a converted Keras directory, or a Keras weights file (`.h5`,
 * `.weights.h5`, `.keras`). A model weight absent from the files, or present with another shape, is an error
 * naming the layer and both shapes (a file for another EfficientNet variant fails so, naming the model); extra
 * weights in the files (a classifier head when the model has none) are ignored. Nothing is written unless
 * every weight checks out.
 */
export async function loadBackboneWeights(model: tfl.LayersModel, location: string): Promise<void> {
  const stored = await readStoredWeights(model, location);
  try {
    assignBackboneWeights(model, stored, location);
  } finally {
    tf.dispose(Object.values(stored));
  }
}

/**
 * Sets every weight of `model` from `stored` (keyed `layer/weight`), with the checks of `loadBackboneWeights`;
 * `dir` names the source in errors. The caller keeps ownership of `stored`.
 */
export function assignBackboneWeights(model: tfl.LayersModel, stored: tf.NamedTensorMap, dir: string): void {
  const casts: tf.Tensor[] = [];
  try {
    const updates: Array<{ layer: tfl.layers.Layer; values: tf.Tensor[] }> = [];
    for (const layer of model.layers) {
      if (layer.weights.length === 0) continue;
      const values = layer.weights.map((variable) => {
        const key = weightKey(variable.originalName);
        const tensor = stored[key];
        if (tensor === undefined) {
          throw new Error(
            `Layer '${layer.name}' weight '${key}' (shape ${shapeText(variable.shape)}) is missing from ${dir} (model ${model.name})${variantHint(model, stored)}`,
          );
        }
        if (!tf.util.arraysEqual(tensor.shape, variable.shape as number[])) {
          throw new Error(
            `Layer '${layer.name}' weight '${key}' has shape ${shapeText(variable.shape)} in the model ` +
              `but ${shapeText(tensor.shape)} in ${dir}${variantHint(model, stored)}`,
          );
        }
        // Keras stores Normalization's count as int64, which the converter may write as int32 or float32.
        if (tensor.dtype === variable.dtype) return tensor;
        casts.push(tf.cast(tensor, variable.dtype));
        return casts[casts.length - 1];
      });
      updates.push({ layer, values });
    }
    // Write only after every weight checked out, so a failed load leaves the model unchanged.
    for (const { layer, values } of updates) layer.setWeights(values);
  } finally {
    tf.dispose(casts);
  }
}

/** Points at the likely cause when a stem or a block differs: weights of another EfficientNet variant. */
function variantHint(model: tfl.LayersModel, stored: tf.NamedTensorMap): string {
  const stem = stored['stem_conv/kernel'];
  const modelStem = model.layers.find((l) => l.name === 'stem_conv')?.weights[0];
  if (!stem || !modelStem || tf.util.arraysEqual(stem.shape, modelStem.shape as number[])) return '';
  return ` (the file's stem has ${stem.shape[3]} filters, ${model.name}'s ${modelStem.shape[3]}: weights of another EfficientNet variant?)`;
}

interface KerasLayerConfig {
  class_name?: string;
  config?: { name?: string; scale?: unknown };
}

/**
 * The per-channel scale of a Keras `Rescaling` layer with a list scale in a converted model.json, if any.
 * Keras's ImageNet EfficientNet has one (`rescaling_1`, 1/√stddev) right after `normalization`.
 */
export function inputChannelScaleOf(modelTopology: unknown): number[] | undefined {
  const topology = modelTopology as { model_config?: { config?: { layers?: KerasLayerConfig[] } } } | undefined;
  const layers = topology?.model_config?.config?.layers ?? [];
  const rescaling = layers.find((l) => l.class_name === 'Rescaling' && Array.isArray(l.config?.scale));
  return rescaling ? (rescaling.config!.scale as number[]).map(Number) : undefined;
}

/** Keras's ImageNet statistics for EfficientNet's input Normalization (its files store the stddev as "variance"). */
const IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225];

/**
 * The input rescaling a Keras weights file implies, by Keras's own rule: `EfficientNetBx(weights="imagenet")` adds
 * `Rescaling(1/√stddev)` after its Normalization, because its ImageNet files store the standard deviations
 * where the variance belongs. A file has no topology to say so, so the rule is applied when the file's
 * `normalization/variance` holds exactly those ImageNet values; any other file (e.g. saved from a model built
 * with `weights=None`) gets no rescaling.
 */
export async function inputChannelScaleOfWeightsFile(path: string): Promise<number[] | undefined> {
  const variance = (await readKerasWeightsFile(path))
    .get('normalization')
    ?.find((v, i) => v.name === 'variance' || (v.name === null && i === 1));
  if (!variance) return undefined;
  const values = Array.from(variance.values as Float32Array, Number);
  const isImageNet = values.length === 3 && values.every((v, i) => Math.abs(v - IMAGENET_STDDEV_RGB[i]!) < 1e-6);
  return isImageNet ? IMAGENET_STDDEV_RGB.map((stddev) => 1 / Math.sqrt(stddev)) : undefined;
}
