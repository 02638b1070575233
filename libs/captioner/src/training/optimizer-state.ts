import * as tf from '@tensorflow/tfjs-core';
import { loadNamedTensors, saveNamedTensors } from '@imgcap/tf-runtime';

/**
 * Adam's state as saved in a checkpoint: tfjs `AdamOptimizer.getWeights()` order — the step count
 * (an int32 scalar), then every weight's first moment, then every second moment — under names
 * 000000, 000001, … Both trainers read and write this, so a run can resume with more or fewer replicas.
 */
export async function saveAdamState(dir: string, tensors: readonly tf.Tensor[]): Promise<void> {
  const map: tf.NamedTensorMap = {};
  tensors.forEach((tensor, i) => (map[String(i).padStart(6, '0')] = tensor));
  await saveNamedTensors(dir, map);
}

/** The tensors saveAdamState wrote, in order. The caller disposes them. */
export async function loadAdamState(dir: string): Promise<tf.Tensor[]> {
  const map = await loadNamedTensors(dir);
  return Object.keys(map)
    .sort()
    .map((name) => map[name]!);
}
