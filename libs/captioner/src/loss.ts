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
    const flatTargets = tf.cast(tf.reshape(targets, [batch * length]), 'int32');
    const mask = tf.cast(tf.notEqual(flatTargets, PAD_ID), 'float32');
    const oneHot = tf.oneHot(flatTargets, vocab);
    return tf.losses.softmaxCrossEntropy(
      oneHot,
      tf.reshape(logits, [batch * length, vocab]),
      mask,
      0,
      tf.Reduction.SUM_BY_NONZERO_WEIGHTS,
    ) as tf.Scalar;
  });
}

/** Fraction of non-padding positions whose arg-max prediction equals the target (0 when all padding). */
export function maskedAccuracy(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const mask = tf.cast(tf.notEqual(targets, PAD_ID), 'float32');
    const hits = tf.sum(tf.mul(tf.cast(tf.equal(tf.argMax(logits, -1), tf.cast(targets, 'int32')), 'float32'), mask));
    return tf.div(hits, tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
}

/**
 * Mean cross-entropy of logits [P, V] against word targets [P] (padding already left out, as
 * `CaptionModel.logitsAt` does): the same value as `maskedCrossEntropy` over the full grid.
 */
export function targetCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(tf.cast(targets, 'int32'), logits.shape[1]);
    return tf.losses.softmaxCrossEntropy(oneHot, logits, undefined, 0, tf.Reduction.MEAN) as tf.Scalar;
  });
}

/** Fraction of rows of logits [P, V] whose arg-max equals the target [P]. */
export function targetAccuracy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(logits, -1), tf.cast(targets, 'int32')), 'float32')) as tf.Scalar);
}
