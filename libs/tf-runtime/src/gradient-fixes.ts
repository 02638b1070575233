import * as tf from '@tensorflow/tfjs-core';
// The stock gradients come from the tfjs-layers bundle (tfjs-core's node bundle registers none);
// importing it first guarantees there is a stock BatchMatMul gradient to wrap.
import '@tensorflow/tfjs-layers';

type GradFunc = tf.GradConfig['gradFunc'];
const wrappedGradFuncs = new WeakSet<GradFunc>();

/**
 * tfjs 4.22's `BatchMatMul` gradient does not sum over broadcast batch dimensions: for
 * `matMul(x [batch, t, d], w [d, u])` it returns a [batch, d, u] gradient for `w` and backprop
 * throws ("gradient of input 'b' has shape ..."). That product is how attention projections are
 * naturally written, so this wraps the stock gradient and reduces each result to its input's shape.
 * Backend-independent; safe to call more than once.
 */
export function registerGradientFixes(): void {
  const stock = tf.getGradient(tf.BatchMatMul);
  if (stock === undefined) throw new Error(`registerGradientFixes: no stock '${tf.BatchMatMul}' gradient registered`);
  if (wrappedGradFuncs.has(stock.gradFunc)) return;
  const gradFunc: GradFunc = (dy, saved, attrs) => {
    const [a, b] = saved;
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    const stockGrads = stock.gradFunc(dy, saved, attrs);
    const sharedRight = !transposeA && batchSize(b) === 1 && batchSize(a) > 1;
    return {
      a: () => sumToShape(stockGrads['a'](), a.shape),
      b: () =>
        sharedRight
          ? sharedRightGradient(a, dy as tf.Tensor, transposeB, b.shape)
          : sumToShape(stockGrads['b'](), b.shape),
    };
  };
  wrappedGradFuncs.add(gradFunc);
  tf.registerGradient({ ...stock, gradFunc });
}

const batchSize = (x: tf.Tensor): number => tf.util.sizeFromShape(x.shape.slice(0, -2));

/**
 * For y = a·w with a [...batch, m, k] and one shared w, dw is one product over all batch rows:
 * [batch·m, k]ᵀ·[batch·m, n]. One big matmul instead of a batched one and a sum (~4x on wasm).
 */
function sharedRightGradient(a: tf.Tensor, dy: tf.Tensor, transposeB: boolean, bShape: number[]): tf.Tensor {
  const rowsA = tf.reshape(a, [-1, a.shape[a.rank - 1]]);
  const rowsDy = tf.reshape(dy, [-1, dy.shape[dy.rank - 1]]);
  const gradient = transposeB ? tf.matMul(rowsDy, rowsA, true, false) : tf.matMul(rowsA, rowsDy, true, false);
  return tf.reshape(gradient, bShape);
}

/** Sums a gradient over the axes its input was broadcast along, then restores the input's shape. */
function sumToShape(gradient: tf.Tensor, shape: number[]): tf.Tensor {
  if (tf.util.arraysEqual(gradient.shape, shape)) return gradient;
  const axes = tf.broadcast_util.getReductionAxes(shape, gradient.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(gradient, axes) : gradient, shape);
}
