import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { maxAbsDiff, seededValues, valuesOn } from './test-helpers/on-backend.js';
import { registerGradientFixes } from './gradient-fixes.js';
import { registerWasmKernelFixes } from './wasm-kernel-fixes.js';

registerWasmKernelFixes();
registerGradientFixes();

const [BATCH, STEPS, VOCAB, WIDTH] = [2, 5, 11, 8];
const TOKENS = [
  [1, 4, 4, 9, 0],
  [10, 2, 7, 7, 3],
];
const NEXT_TOKENS = [
  [4, 4, 9, 0, 0],
  [2, 7, 7, 3, 1],
];

/** One causal self-attention block with explicit weights, as the captioner's decoder uses. */
function attentionBlock(weights: tf.Tensor[]): tf.Tensor {
  const [embedding, wq, wk, wv, wOut, bOut] = weights;
  const x = tf.gather(embedding, tf.tensor2d(TOKENS, [BATCH, STEPS], 'int32'));
  const [q, k, v] = [wq, wk, wv].map((w) => tf.matMul(x, w));
  const causal = tf.linalg.bandPart(tf.ones([STEPS, STEPS]), -1, 0);
  const scores = tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(WIDTH)), tf.mul(tf.sub(causal, 1), 1e9));
  const attended = tf.add(tf.matMul(tf.softmax(scores), v), x);
  const { mean, variance } = tf.moments(attended, -1, true);
  const normed = tf.div(tf.sub(attended, mean), tf.sqrt(tf.add(variance, 1e-5)));
  return tf.add(tf.matMul(normed, wOut), bOut);
}

function blockWeights(): tf.Tensor[] {
  const shapes = [[VOCAB, WIDTH], [WIDTH, WIDTH], [WIDTH, WIDTH], [WIDTH, WIDTH], [WIDTH, VOCAB], [VOCAB]];
  return shapes.map((shape, i) => tf.tensor(seededValues(tf.util.sizeFromShape(shape), 100 + i), shape));
}

function crossEntropy(logits: tf.Tensor): tf.Scalar {
  const labels = tf.oneHot(tf.tensor2d(NEXT_TOKENS, [BATCH, STEPS], 'int32'), VOCAB);
  return tf.losses.softmaxCrossEntropy(labels, logits);
}

async function expectSameOnBothBackends(compute: () => tf.Tensor[], tolerance: number): Promise<void> {
  const onCpu = await valuesOn('cpu', compute);
  const onWasm = await valuesOn('wasm', compute);
  expect(onWasm.length).toBe(onCpu.length);
  onWasm.forEach((values, i) => expect(maxAbsDiff(values, onCpu[i])).toBeLessThan(tolerance));
}

describe('cpu and wasm agree on a small Transformer block', () => {
  it('forward: same logits', async () => {
    await expectSameOnBothBackends(() => [attentionBlock(blockWeights())], 1e-4);
  });

  it('backward: same gradients for every weight, embedding included', async () => {
    await expectSameOnBothBackends(() => {
      const lossOf = (...weights: tf.Tensor[]) => crossEntropy(attentionBlock(weights));
      return tf.grads(lossOf)(blockWeights());
    }, 1e-4);
  });
});

describe('training a tiny tfjs-layers Transformer on wasm', () => {
  it('runs Adam steps (embedding, attention, layerNorm, dense, softmax CE), lowers the loss, leaks nothing', async () => {
    await tf.setBackend('wasm');
    const embed = tfl.layers.embedding({ inputDim: VOCAB, outputDim: WIDTH });
    const norm = tfl.layers.layerNormalization({ axis: -1 });
    const [query, key, value] = [0, 1, 2].map(() => tfl.layers.dense({ units: WIDTH }));
    const head = tfl.layers.dense({ units: VOCAB });
    const ids = tf.tensor2d(TOKENS, [BATCH, STEPS], 'int32');
    const loss = (): tf.Scalar =>
      tf.tidy(() => {
        const x = norm.apply(embed.apply(ids)) as tf.Tensor;
        const [q, k, v] = [query, key, value].map((layer) => layer.apply(x) as tf.Tensor);
        const attention = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(WIDTH)));
        return crossEntropy(head.apply(tf.add(tf.matMul(attention, v), x)) as tf.Tensor);
      });
    tf.dispose(loss()); // builds the layers, so minimize sees their variables
    const optimizer = tf.train.adam(0.05);
    const losses: number[] = [];
    let tensorsAfterFirstStep = 0;
    for (let step = 0; step < 6; step++) {
      const value = optimizer.minimize(loss, true) as tf.Scalar;
      losses.push((await value.data())[0]);
      value.dispose();
      if (step === 0) tensorsAfterFirstStep = tf.memory().numTensors; // Adam's slots now exist
    }
    expect(tf.memory().numTensors).toBe(tensorsAfterFirstStep);
    expect(losses[5]).toBeLessThan(losses[0] * 0.8);
    tf.dispose(ids);
    optimizer.dispose();
  });
});
