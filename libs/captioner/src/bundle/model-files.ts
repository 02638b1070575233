import * as tf from '@tensorflow/tfjs-core';
import { fileSystemIO } from '@imgcap/tf-runtime';
import type { CaptionModel } from '../model/caption-model.js';

/**
 * Writes the network as a standard tfjs Layers model (model.json + weights.bin): other projects can
 * `tf.loadLayersModel` it after importing @imgcap/transformer-blocks, which registers the layers.
 */
export async function saveModelFiles(model: CaptionModel, dir: string): Promise<void> {
  await model.network.save(fileSystemIO(dir));
}

/** Loads weights by name into a model built from the same config; a missing or extra name is an error. */
export async function loadModelWeights(model: CaptionModel, dir: string): Promise<void> {
  const artifacts = await fileSystemIO(dir).load();
  if (!artifacts.weightData || !artifacts.weightSpecs) throw new Error(`${dir}/model.json lists no weights.`);
  const weights = tf.io.decodeWeights(artifacts.weightData, artifacts.weightSpecs);
  try {
    for (const w of model.network.weights) {
      const saved = weights[w.originalName];
      if (!saved) throw new Error(`${dir}: weight "${w.originalName}" is missing.`);
      if (saved.shape.join() !== w.shape.join()) {
        throw new Error(
          `${dir}: weight "${w.originalName}" has shape [${saved.shape}], the model expects [${w.shape}].`,
        );
      }
    }
    model.network.loadWeights(weights, true);
  } finally {
    tf.dispose(Object.values(weights));
  }
}
