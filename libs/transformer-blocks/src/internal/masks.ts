import * as tf from '@tensorflow/tfjs-core';

/** [queryLen, keyLen] with 1 where key position ≤ query position (keys aligned to the end of the queries). */
export function causalMask(queryLen: number, keyLen: number): tf.Tensor2D {
  return tf.tidy(() => {
    const queryPos = tf.reshape(tf.add(tf.range(0, queryLen, 1, 'int32'), keyLen - queryLen), [queryLen, 1]);
    const keyPos = tf.reshape(tf.range(0, keyLen, 1, 'int32'), [1, keyLen]);
    return tf.cast(tf.lessEqual(keyPos, queryPos), 'float32') as tf.Tensor2D;
  });
}

/** A [batch, keyLen] padding mask (1 = real token) as an attention mask [batch, 1, 1, keyLen]. */
export function keyPaddingMask(padding: tf.Tensor): tf.Tensor4D {
  const [batch, keyLen] = padding.shape;
  return tf.reshape(tf.cast(padding, 'float32'), [batch!, 1, 1, keyLen!]);
}
