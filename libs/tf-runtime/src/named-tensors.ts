import * as tf from '@tensorflow/tfjs-core';
import { fileSystemIO } from './file-system-io.js';

const NAMED_TENSORS_FORMAT = 'imgcap-named-tensors';

/**
 * Saves a map of named tensors (custom weights, e.g. a captioner's own layers) as model.json +
 * weights.bin in `dir`, with the same manifest format and crash safety as fileSystemIO.
 */
export async function saveNamedTensors(
  dir: string,
  tensors: tf.NamedTensorMap,
  userDefinedMetadata?: { [key: string]: object },
): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  await fileSystemIO(dir).save({
    weightData: data,
    weightSpecs: specs,
    format: NAMED_TENSORS_FORMAT,
    generatedBy: `TensorFlow.js tfjs-core v${tf.version_core}`,
    userDefinedMetadata,
  });
}

/** Loads what saveNamedTensors wrote; the caller owns (and disposes) the returned tensors. */
export async function loadNamedTensors(dir: string): Promise<tf.NamedTensorMap> {
  const artifacts = await fileSystemIO(dir).load();
  if (artifacts.weightData === undefined || artifacts.weightSpecs === undefined) {
    throw new Error(`loadNamedTensors: ${dir}/model.json lists no weights`);
  }
  return tf.io.decodeWeights(artifacts.weightData, artifacts.weightSpecs);
}
