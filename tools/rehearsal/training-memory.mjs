#!/usr/bin/env node
// `node tools/rehearsal/training-memory.mjs [--steps 500] [--kernels onnx|wasm]` (after `npm run build`)
// Memory of a seed-shape training loop (imgcap architecture, embed 512, ff 256, heads 2/4, seq 36, batch 64, vocab 10k,
// 64×1280 features) as `train` runs it: 2 data-parallel replicas on wasm with the chosen kernels, one fixed random
// batch per step. Samples RSS and live tensors every 50 steps; prints one JSON line with the peak RSS and whether either
// grew after warm-up.
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { CaptionModel } from '@imgcap/captioner/model';
import { DataParallelTrainer } from '@imgcap/captioner/training';
import { selectBackend } from '@imgcap/tf-runtime';
import { caseConfig, DECODER_CASES, randomTrainingBatch, useKernels } from '../bench/decoder.mjs';

const { values } = parseArgs({
  options: { steps: { type: 'string', default: '500' }, kernels: { type: 'string', default: 'onnx' } },
});
const steps = Number(values.steps);
await selectBackend({ backend: 'wasm', log: () => {} });
const kernels = await useKernels(values.kernels);
const config = caseConfig(DECODER_CASES.find((c) => c.peer === 'seed'));
const model = new CaptionModel(config, { seed: 1 });
const trainer = await DataParallelTrainer.create(model, 1e-3, {
  replicas: 2,
  backend: 'wasm',
  workerSetup: kernels?.setup,
});
const batch = randomTrainingBatch({ ...config, batchSize: 64 });
const samples = [];
const started = performance.now();
for (let step = 1; step <= steps; step++) {
  await trainer.step(batch);
  if (step % 50 === 0 || step === 1) {
    const rssGiB = Number((process.memoryUsage().rss / 1024 ** 3).toFixed(3));
    samples.push({
      step,
      rss_gib: rssGiB,
      tensors: tf.memory().numTensors,
      seconds: Math.round((performance.now() - started) / 1000),
    });
    process.stderr.write(`${JSON.stringify(samples.at(-1))}\n`);
  }
}
trainer.dispose();
const afterWarmup = samples.filter((s) => s.step >= 100);
const growth = afterWarmup.length > 1 ? afterWarmup.at(-1).rss_gib - afterWarmup[0].rss_gib : null;
process.stdout.write(
  `${JSON.stringify({
    kernels: values.kernels,
    steps,
    peak_rss_gib: Number((process.resourceUsage().maxRSS / 1024 ** 2).toFixed(3)),
    rss_growth_after_step_100_gib: growth === null ? null : Number(growth.toFixed(3)),
    tensors_constant: new Set(samples.map((s) => s.tensors)).size === 1,
    samples,
  })}\n`,
);
