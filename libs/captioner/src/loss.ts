import * as tf from '@tensorflow/tfjs-core';

/** Token id that marks padding in target sequences; it never counts in loss or accuracy. */
export const PAD_ID = 0;

/**
 * Masked sparse categorical cross-entropy on logits: the mean over non-padding positions of
 * −log softmax(logits)[target]. Computed through `softmaxCrossEntropy`, whose custom gradient
 * (softmax − one-hot) is far cheaper on wasm than differentiating a softmax layer.
 */
export function maskedCrossEntropy(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [batch, length, vocab] = logits.shape;
    const flatTargets = targets.reshape([batch * length]).toInt();
    const mask = tf.notEqual(flatTargets, PAD_ID).toFloat();
    const oneHot = tf.oneHot(flatTargets, vocab);
    return tf.losses.softmaxCrossEntropy(
      oneHot,
      logits.reshape([batch * length, vocab]),
      mask,
      0,
      tf.Reduction.SUM_BY_NONZERO_WEIGHTS,
    ) as tf.Scalar;
  });
}

/** Fraction of non-padding positions whose arg-max prediction equals the target (0 when all padding). */
export function maskedAccuracy(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const mask = tf.notEqual(targets, PAD_ID).toFloat();
    const hits = tf.equal(tf.argMax(logits, -1), targets.toInt()).toFloat().mul(mask).sum();
    return hits.div(tf.maximum(mask.sum(), 1)) as tf.Scalar;
  });
}
