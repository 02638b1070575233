import * as tf from '@tensorflow/tfjs-core';

export interface BenchMatMulOptions {
  /** Keep multiplying until this much time has passed, for a stable figure; default 200 ms. */
  minMs?: number;
}

/**
 * Measures n×n float32 matmul throughput on the active backend, in GFLOP/s (2·n³ flops per
 * product). One untimed warm-up product absorbs kernel setup and weight packing.
 */
export async function benchMatMul(n: number, options: BenchMatMulOptions = {}): Promise<number> {
  if (!Number.isInteger(n) || n < 1) throw new Error(`benchMatMul: n must be a positive integer, got ${n}`);
  const minMs = options.minMs ?? 200;
  const [a, b] = [tf.randomUniform([n, n]), tf.randomUniform([n, n])];
  try {
    await multiplyAndWait(a, b);
    let products = 0;
    const start = performance.now();
    do {
      await multiplyAndWait(a, b);
      products++;
    } while (performance.now() - start < minMs);
    const seconds = (performance.now() - start) / 1000;
    return (2 * n ** 3 * products) / seconds / 1e9;
  } finally {
    tf.dispose([a, b]);
  }
}

/** Reading the result forces backends that queue work (webgl, tensorflow) to finish it. */
async function multiplyAndWait(a: tf.Tensor, b: tf.Tensor): Promise<void> {
  const product = tf.matMul(a, b);
  await product.data();
  product.dispose();
}
