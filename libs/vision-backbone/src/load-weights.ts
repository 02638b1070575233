// Loads a directory written by `tensorflowjs_converter --input_format keras` (model.json with a
// weightsManifest plus binary shards) into a model built here, matching weights by `layer/weight` name.
// Reading the files with node:fs avoids needing tfjs-node's file:// handler.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

type WeightsGroup = tf.io.WeightsManifestConfig[number];

interface ConvertedModelJson {
  modelTopology?: unknown;
  weightsManifest: WeightsGroup[];
}

export async function readConvertedModelJson(dir: string): Promise<ConvertedModelJson> {
  const path = join(dir, 'model.json');
  const json = JSON.parse(await readFile(path, 'utf8')) as Partial<ConvertedModelJson>;
  if (!Array.isArray(json.weightsManifest)) {
    throw new Error(`${path} has no weightsManifest array; expected the output of tensorflowjs_converter --input_format keras`);
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

/**
 * Copies every weight of `model` from a converted Keras directory. A model weight absent from the files,
 * or present with another shape, is an error naming the layer and both shapes; extra weights in the files
 * (a classifier head when the model has none) are ignored.
 */
export async function loadBackboneWeights(model: tfl.LayersModel, dir: string): Promise<void> {
  const { weightsManifest } = await readConvertedModelJson(dir);
  const stored = await decodeManifest(dir, weightsManifest);
  const casts: tf.Tensor[] = [];
  try {
    const updates: Array<{ layer: tfl.layers.Layer; values: tf.Tensor[] }> = [];
    for (const layer of model.layers) {
      if (layer.weights.length === 0) continue;
      const values = layer.weights.map((variable) => {
        const key = weightKey(variable.originalName);
        const tensor = stored[key];
        if (tensor === undefined) {
          throw new Error(`Layer '${layer.name}' weight '${key}' (shape ${shapeText(variable.shape)}) is missing from ${dir}`);
        }
        if (!tf.util.arraysEqual(tensor.shape, variable.shape as number[])) {
          throw new Error(
            `Layer '${layer.name}' weight '${key}' has shape ${shapeText(variable.shape)} in the model ` +
              `but ${shapeText(tensor.shape)} in ${dir}`,
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
    tf.dispose([...Object.values(stored), ...casts]);
  }
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
