import type * as tf from '@tensorflow/tfjs-core';

/** Downloads one step's log-probabilities and attention (empty when the session has none) and frees them. */
export async function readStep(step: {
  logProbs: tf.Tensor2D;
  attention: tf.Tensor2D | null;
}): Promise<[Float32Array, Float32Array]> {
  const [logProbs, attention] = await Promise.all([step.logProbs.data(), step.attention?.data()]);
  step.logProbs.dispose();
  step.attention?.dispose();
  return [logProbs as Float32Array, (attention as Float32Array | undefined) ?? new Float32Array(0)];
}
