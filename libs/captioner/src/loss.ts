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
 * Sparse, with its own gradient: the loss is logsumexp(row) − row[target], and its gradient
 * (softmax − one-hot) / P reuses the forward pass's exponentials. Over a 10,000-word vocabulary
 * that is one `Exp` per step instead of the three a one-hot `softmaxCrossEntropy` costs on wasm.
 *
 * With `weights` [P] the loss is the mean of weight × cross-entropy: self-critical training weighs each sampled
 * word's −log p by its caption's advantage (reward − baseline), which may be negative.
 */
export function targetCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, weights?: tf.Tensor1D): tf.Scalar {
  const [rows, vocab] = logits.shape;
  return tf.tidy(() => {
    const ids = tf.cast(targets, 'int32');
    const targetCells = tf.stack([tf.range(0, rows, 1, 'int32'), ids], 1) as tf.Tensor2D;
    // tfjs types the inputs and the save function as one rest parameter.
    const loss = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [input, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
      const shifted = tf.sub(input, tf.max(input, 1, true));
      const exps = tf.exp(shifted);
      const sums = tf.sum(exps, 1, true);
      const picked = tf.gatherND(shifted, targetCells);
      // Per row: the factor of its cross-entropy in the loss (1/P, or weight/P).
      const rowScale = weights ? tf.div(tf.reshape(weights, [rows, 1]), rows) : tf.fill([rows, 1], 1 / rows);
      save([exps, sums, targetCells, rowScale]);
      const perRow = tf.sub(tf.reshape(tf.log(sums), [rows]), picked);
      return {
        value: tf.sum(tf.mul(perRow, tf.reshape(rowScale, [rows]))) as tf.Scalar,
        gradFunc: (dy: tf.Scalar, saved: tf.Tensor[]) => {
          const [savedExps, savedSums, cells, rowScale] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
          const scale = tf.mul(dy, rowScale) as tf.Tensor2D;
          const scaledOneHot = tf.scatterND(cells, tf.reshape(scale, [rows]), [rows, vocab]);
          return tf.sub(tf.mul(savedExps, tf.div(scale, savedSums)), scaledOneHot);
        },
      };
    });
    return loss(logits);
  });
}

/** Fraction of rows of logits [P, V] whose arg-max equals the target [P]. */
export function targetAccuracy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  return tf.tidy(
    () => tf.mean(tf.cast(tf.equal(tf.argMax(logits, -1), tf.cast(targets, 'int32')), 'float32')) as tf.Scalar,
  );
}
