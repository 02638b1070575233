import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { loadBundleParts, type BundleParts } from '@imgcap/captioner/bundle';
import { type StepOutput } from '@imgcap/captioner/generation';
import { CachedDecoderSession } from '@imgcap/captioner/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportBundleToOnnx } from '../export/export-bundle.js';
import { saveTinyBundle, TINY_CONFIG, useTestBackend } from '../test-helpers/tiny-bundle.js';
import { gatherRows, OnnxDecoderSession } from './onnx-decoder-session.js';
import { stepRunner, type StepRunner } from './step-runner.js';
import { SyncOrtSession } from './sync-session.js';

let dir: string;
let onnxDir: string;
let tfjs: BundleParts;
let encoder: ort.InferenceSession;
let stepGraph: SyncOrtSession;
let runStep: StepRunner;
const ROWS = 3;
const { decHeads, embedDim, featureShape, seqLength } = TINY_CONFIG;
const shape = {
  numHeads: decHeads,
  headDim: embedDim / decHeads,
  maxLength: seqLength - 1,
  gridTokens: featureShape[0],
};
/** Cross-attention keys (or values) of one row: heads × grid tokens × head width. */
const CROSS_ROW = shape.numHeads * shape.gridTokens * shape.headDim;
const oneRowCross = () => ({ keys: new Float32Array(CROSS_ROW), values: new Float32Array(CROSS_ROW) });

beforeAll(async () => {
  await useTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'imgcap-onnx-step-'));
  const bundleDir = await saveTinyBundle(dir, 'bundle');
  onnxDir = join(dir, 'export');
  await exportBundleToOnnx(bundleDir, onnxDir);
  tfjs = await loadBundleParts(bundleDir);
  encoder = await ort.InferenceSession.create(join(onnxDir, 'encoder.onnx'));
  stepGraph = new SyncOrtSession(join(onnxDir, 'decoder_step.onnx'));
  runStep = stepRunner(ort, stepGraph);
});
afterAll(async () => {
  tfjs.model.dispose();
  tfjs.backbone.dispose();
  await encoder.release();
  stepGraph.dispose();
  await rm(dir, { recursive: true, force: true });
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** Both engines' sessions over the same random features. */
async function sessionPair(seed: number, run: () => StepRunner = () => runStep) {
  const features = tf.randomUniform([ROWS, ...featureShape], 0, 1, 'float32', seed) as tf.Tensor3D;
  const featureValues = (await features.data()) as Float32Array;
  const encodedTfjs = tfjs.model.encode(features);
  const out = await encoder.run({ features: new ort.Tensor('float32', featureValues, [ROWS, ...featureShape]) });
  expect(maxAbsDiff(out['encoded']!.data as Float32Array, await encodedTfjs.data())).toBeLessThan(1e-4);
  const reference = new CachedDecoderSession(tfjs.model, encodedTfjs);
  tf.dispose([features, encodedTfjs]);
  const cross = { keys: out['cross_keys']!.data as Float32Array, values: out['cross_values']!.data as Float32Array };
  return { reference, onnx: new OnnxDecoderSession(run(), ROWS, cross, shape) };
}

/** A step's log-probabilities and attention as arrays (tensors are read and freed). */
async function stepValues(step: StepOutput): Promise<[Float32Array, Float32Array]> {
  if (step.logProbs instanceof Float32Array) return [step.logProbs, step.attention as Float32Array];
  const values = [(await step.logProbs.data()) as Float32Array, (await step.attention!.data()) as Float32Array] as [
    Float32Array,
    Float32Array,
  ];
  tf.dispose([step.logProbs, step.attention!]);
  return values;
}

async function expectSameStep(a: StepOutput | Promise<StepOutput>, b: StepOutput | Promise<StepOutput>) {
  const [[logA, attentionA], [logB, attentionB]] = [await stepValues(await a), await stepValues(await b)];
  expect(maxAbsDiff(logA, logB)).toBeLessThan(1e-4);
  expect(maxAbsDiff(attentionA, attentionB)).toBeLessThan(1e-4);
}

describe('OnnxDecoderSession', () => {
  it('gives the log-probabilities and attention of the tfjs cached session within 1e-4, step after step', async () => {
    const { reference, onnx } = await sessionPair(1);
    const steps = [Int32Array.of(2, 2, 2), Int32Array.of(5, 7, 9), Int32Array.of(4, 4, 11), Int32Array.of(13, 6, 8)];
    for (const [position, tokens] of steps.entries())
      await expectSameStep(reference.step(tokens, position), onnx.step(tokens, position));
    reference.dispose();
    onnx.dispose();
  });

  it('runs on an asynchronous runtime (as onnxruntime-web is) with the same results', async () => {
    // The public async InferenceSession, as the browser's: every step returns a Promise.
    const asyncGraph = await ort.InferenceSession.create(join(onnxDir, 'decoder_step.onnx'));
    const { reference, onnx } = await sessionPair(3, () => stepRunner(ort, asyncGraph));
    const first = onnx.step(Int32Array.of(2, 2, 2), 0);
    expect(first).toBeInstanceOf(Promise);
    await expectSameStep(reference.step(Int32Array.of(2, 2, 2), 0), await first);
    await expectSameStep(reference.step(Int32Array.of(5, 9, 4), 1), await onnx.step(Int32Array.of(5, 9, 4), 1));
    reference.dispose();
    onnx.dispose();
    await asyncGraph.release();
  });

  it('reorders rows (beam search) exactly as the tfjs session does', async () => {
    const { reference, onnx } = await sessionPair(2);
    await expectSameStep(reference.step(Int32Array.of(2, 2, 2), 0), onnx.step(Int32Array.of(2, 2, 2), 0));
    await expectSameStep(reference.step(Int32Array.of(5, 6, 7), 1), onnx.step(Int32Array.of(5, 6, 7), 1));
    const order = Int32Array.of(2, 0, 2);
    reference.reorder(order);
    onnx.reorder(order);
    await expectSameStep(reference.step(Int32Array.of(8, 9, 10), 2), onnx.step(Int32Array.of(8, 9, 10), 2));
    reference.dispose();
    onnx.dispose();
  });

  it('creates no tfjs tensors: a step returns host arrays', () => {
    const session = new OnnxDecoderSession(runStep, 1, oneRowCross(), shape);
    const before = tf.memory().numTensors;
    const step = session.step(Int32Array.of(2), 0) as Exclude<StepOutput, Promise<StepOutput>>;
    expect(step.logProbs).toBeInstanceOf(Float32Array);
    expect((step.logProbs as Float32Array).length).toBe(TINY_CONFIG.vocabSize);
    expect((step.attention as Float32Array).length).toBe(shape.gridTokens);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses positions past the cache and token counts that do not match the rows', () => {
    const session = new OnnxDecoderSession(runStep, 1, oneRowCross(), shape);
    expect(() => session.step(Int32Array.of(2), shape.maxLength)).toThrow(
      /position must be an integer in \[0, 7\], got 8/,
    );
    expect(() => session.step(Int32Array.of(2, 3), 0)).toThrow(/one token per row \(1\), got 2/);
    expect(() => new OnnxDecoderSession(runStep, 2, oneRowCross(), shape)).toThrow(/\[2,4,4,4\] needs 128/);
  });
});

describe('SyncOrtSession', () => {
  it('returns what the public async InferenceSession returns', async () => {
    const feeds = {
      features: new ort.Tensor(
        'float32',
        Float32Array.from({ length: 2 * featureShape[0] * featureShape[1] }, (_, i) => (i % 7) / 7),
        [2, ...featureShape],
      ),
    };
    const sync = new SyncOrtSession(join(onnxDir, 'encoder.onnx'));
    const expected = await encoder.run(feeds);
    const actual = sync.run(feeds);
    for (const name of ['encoded', 'cross_keys', 'cross_values']) {
      expect(actual[name]!.dims).toEqual(expected[name]!.dims);
      expect(Array.from(actual[name]!.data as Float32Array)).toEqual(Array.from(expected[name]!.data as Float32Array));
    }
    sync.dispose();
  });
});

describe('gatherRows', () => {
  it('copies rows by index, repeats allowed', () => {
    expect(Array.from(gatherRows(Float32Array.of(1, 2, 3, 4, 5, 6), Int32Array.of(2, 0, 2), 2))).toEqual([
      5, 6, 1, 2, 5, 6,
    ]);
  });
});
