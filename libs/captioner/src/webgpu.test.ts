// The WebGPU backend (Dawn for Node; in CI, Mesa's llvmpipe CPU Vulkan driver, which .ci/run installs) computes what
// the cpu backend computes: a seed-architecture training step, 20 steps of Adam, EfficientNet-B1 features, greedy
// and beam captions; and leaks no tensor per step or caption. No adapter is a failure naming what is missing.
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@imgcap/tf-runtime';
import { createFeatureExtractor } from '@imgcap/vision-backbone';
import { describe, expect, it } from 'vitest';
import { generateFromFeatures } from './model/generate.js';
import { CaptionModel } from './model/caption-model.js';
import { SEARCH_TOKENS } from './test-helpers/tiny-model.js';
import { TINY_CONFIG, TINY_SEED_CONFIG } from './test-helpers/tiny-model.js';
import { computeGradients, computeGradientsAsync, type TrainingBatch } from './training/gradients.js';
import { CaptionTrainer } from './training/trainer.js';
import type { CaptionModelConfig } from './config.js';

const quiet = { log: () => {} };
const use = (backend: 'cpu' | 'webgpu') => selectBackend({ backend, ...quiet });

/** The seed architecture with its dropouts on (0.1 / 0.3 / 0.5), as it trains. */
const { seedDropout: _dropoutOff, ...seedShape } = TINY_SEED_CONFIG;
const SEED: CaptionModelConfig = { ...seedShape, vocabSize: 40 };

function batchOf(config: CaptionModelConfig, n = 6): TrainingBatch {
  const [tokens, channels] = config.featureShape;
  const length = config.seqLength - 1;
  let state = 11;
  const next = () => (state = (state * 16807) % 2147483647) / 2147483647;
  const features = Float32Array.from({ length: n * tokens * channels }, next);
  const inputTokens = new Int32Array(n * length);
  const targetTokens = new Int32Array(n * length);
  for (let i = 0; i < n; i++) {
    const words = Array.from({ length: 2 + (i % 4) }, () => 4 + Math.floor(next() * (config.vocabSize - 4)));
    const sequence = [2, ...words, 3];
    sequence.slice(0, -1).forEach((id, t) => (inputTokens[i * length + t] = id));
    sequence.slice(1).forEach((id, t) => (targetTokens[i * length + t] = id));
  }
  return { batchSize: n, features, inputTokens, targetTokens };
}

const maxAbs = (a: ArrayLike<number>) =>
  Array.prototype.reduce.call(a, (m: number, v: number) => Math.max(m, Math.abs(v)), 0) as number;

/** max |a − b| / max(max |a|, floor): the floor keeps values that are zero up to rounding from dividing by noise. */
function relative(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-12): number {
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
  return diff / Math.max(maxAbs(a), floor);
}

describe('the WebGPU backend equals the cpu backend', () => {
  it('selects WebGPU on an adapter it names, or fails saying what is missing', async () => {
    const lines: string[] = [];
    const selected = await selectBackend({ backend: 'webgpu', log: (line) => lines.push(line) });
    expect(selected.backend).toBe('webgpu');
    expect(lines[0]).toMatch(/^tfjs backend: webgpu \(@tensorflow\/tfjs-backend-webgpu on .+; chosen by option\)$/);
  }, 60_000);

  it.each([
    ['seed', SEED],
    ['imgcap', { ...TINY_CONFIG, vocabSize: 40, dropout: 0.1 }],
  ] as const)(
    '--arch %s: a training step (dropout on), its loss and every gradient within 1e-4 relative',
    async (_arch, config) => {
      const batch = batchOf(config);
      await use('cpu');
      const cpuModel = new CaptionModel(config, { seed: 3 });
      const cpu = computeGradients(cpuModel, batch, 99);
      const cpuGrads = cpu.grads.map((g) => g.dataSync().slice());
      tf.dispose(cpu.grads);
      cpuModel.dispose();

      await use('webgpu');
      const model = new CaptionModel(config, { seed: 3 });
      const before = tf.memory().numTensors;
      const gpu = await computeGradientsAsync(model, batch, 99);
      const gpuGrads = await Promise.all(gpu.grads.map((g) => g.data()));
      tf.dispose(gpu.grads);
      expect(tf.memory().numTensors).toBe(before);
      expect(Math.abs(gpu.loss - cpu.loss) / cpu.loss).toBeLessThan(1e-4);
      expect(gpu.accuracy).toBeCloseTo(cpu.accuracy, 6);
      // Attention key biases have an exactly zero gradient (softmax ignores a constant added to one query's scores):
      // both backends give rounding noise there, so each gradient is held to 1e-4 of its own scale or, where that is
      // noise, of a thousandth of the step's largest gradient.
      const names = model.network.trainableWeights.map((w) => w.originalName);
      const floor = 1e-3 * Math.max(...cpuGrads.map(maxAbs));
      const worst = cpuGrads.map((g, i) => [names[i]!, relative(g, gpuGrads[i]!, floor)] as const);
      expect(worst.filter(([, r]) => !(r < 1e-4))).toEqual([]);
      const keyBiases = cpuGrads.filter((_, i) => names[i]!.endsWith('/key/bias'));
      for (const g of keyBiases) expect(maxAbs(g)).toBeLessThan(1e-5 * floor);
      model.dispose();
    },
    120_000,
  );

  it('20 Adam steps follow the cpu loss path within 1e-3 × max(1, loss), leak-free per step', async () => {
    const batch = batchOf(SEED, 8);
    const run = async (backend: 'cpu' | 'webgpu') => {
      await use(backend);
      const model = new CaptionModel(SEED, { seed: 5 });
      const trainer = new CaptionTrainer(model, 0.005);
      const losses = [(await trainer.stepAsync(batch)).loss]; // Adam creates its moments on the first step
      const before = tf.memory().numTensors;
      for (let i = 1; i < 20; i++) losses.push((await trainer.stepAsync(batch)).loss);
      const leaked = tf.memory().numTensors - before;
      trainer.dispose();
      model.dispose();
      return { losses, leaked };
    };
    const cpu = await run('cpu');
    const gpu = await run('webgpu');
    expect(gpu.leaked).toBe(0);
    gpu.losses.forEach((loss, i) =>
      expect(Math.abs(loss - cpu.losses[i]!), `step ${i + 1}`).toBeLessThan(1e-3 * Math.max(1, cpu.losses[i]!)),
    );
    expect(gpu.losses[19]!).toBeLessThan(gpu.losses[0]!);
  }, 240_000);

  it('EfficientNet-B1 features equal within 1e-4 relative', async () => {
    const images = Float32Array.from({ length: 2 * 64 * 64 * 3 }, (_, i) => (i * 37) % 256);
    const features = async (backend: 'cpu' | 'webgpu') => {
      await use(backend);
      const extractor = await createFeatureExtractor({ kind: 'efficientnet', variant: 'b1', imageSize: 64 });
      const input = tf.tensor4d(images, [2, 64, 64, 3]);
      const out = extractor.extract(input);
      const values = await out.data();
      tf.dispose([input, out]);
      extractor.dispose();
      return values;
    };
    const cpu = await features('cpu');
    expect(relative(cpu, await features('webgpu'))).toBeLessThan(1e-4);
  }, 240_000);

  it('greedy and beam-3 captions are the cpu ones, with no tensor left per caption', async () => {
    const config: CaptionModelConfig = { ...TINY_SEED_CONFIG, vocabSize: 40 };
    const features = Float32Array.from({ length: 3 * 4 * 48 }, (_, i) => ((i * 7919) % 1000) / 1000);
    const tokens = { ...SEARCH_TOKENS, banned: [0, 2] };
    const captions = async (backend: 'cpu' | 'webgpu') => {
      await use(backend);
      const model = new CaptionModel(config, { seed: 8 });
      const input = tf.tensor3d(features, [3, 4, 48]);
      const before = tf.memory().numTensors;
      const greedy = await generateFromFeatures(model, input, tokens, { beamWidth: 1 });
      const beam = await generateFromFeatures(model, input, tokens, { beamWidth: 3 });
      const leaked = tf.memory().numTensors - before;
      input.dispose();
      model.dispose();
      return { greedy: greedy.map((h) => h.tokens), beam: beam.map((h) => h.tokens), leaked };
    };
    const cpu = await captions('cpu');
    const gpu = await captions('webgpu');
    expect(gpu.leaked).toBe(0);
    expect(gpu.greedy).toEqual(cpu.greedy);
    expect(gpu.beam).toEqual(cpu.beam);
    expect(cpu.greedy.some((t) => t.length > 1)).toBe(true);
  }, 120_000);
});
