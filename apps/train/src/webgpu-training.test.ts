// `train --backend webgpu` (Dawn; in CI Mesa's llvmpipe, which .ci/run installs) trains the seed architecture along
// the cpu backend's loss path, and checkpoints and resumes on WebGPU exactly.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from './run-training.js';
import { train, useTrainingFixture } from './test-helpers/training-run.js';

const { fixture, configFor } = useTrainingFixture();
const seedRun = (name: string, backend: 'cpu' | 'webgpu', extra = {}) =>
  configFor(name, {
    arch: 'seed',
    backend,
    // One replica on both: each replica draws its own dropout masks, so the paths compare only at equal counts.
    workers: 1,
    epochs: 2,
    max_images: 24,
    batch_size: 8,
    val_sample: 2,
    seed: 4,
    ...extra,
  });

describe('train --backend webgpu', () => {
  it('trains the seed architecture (dropout on) along the cpu loss path: step 1 within 1e-4, every step within 1e-2', async () => {
    const cpu = await train(seedRun('cpu', 'cpu'));
    const gpu = await train(seedRun('webgpu', 'webgpu'));
    expect([cpu.code, gpu.code]).toEqual([EXIT.ok, EXIT.ok]);
    expect(gpu.logs[0]).toMatch(/^tfjs backend: webgpu \(@tensorflow\/tfjs-backend-webgpu on .+\)/);
    expect(gpu.logs.join('\n')).toMatch(/1 gradient replica(?!s)/);
    expect(gpu.losses.size).toBe(cpu.losses.size);
    expect(Math.abs(gpu.losses.get(1)! - cpu.losses.get(1)!)).toBeLessThan(1e-4 * cpu.losses.get(1)!);
    // Over 26 steps the two paths part by rounding that Adam amplifies (its first steps move each weight by about
    // ±lr whatever the size of its gradient, so rounding noise in near-zero gradients — the attention key biases'
    // are exactly zero — becomes lr-sized moves); a missing or wrong kernel is off by far more. The 20-step 1e-3
    // parity of one batch is libs/captioner/src/webgpu.test.ts.
    for (const [step, loss] of cpu.losses)
      expect(Math.abs(gpu.losses.get(step)! - loss), `step ${step}`).toBeLessThan(1e-2 * Math.max(1, loss));
    const manifest = JSON.parse(await readFile(join(fixture.root, 'webgpu', 'bundle', 'bundle.json'), 'utf8'));
    expect(manifest.config.arch).toBe('seed');
  }, 300_000);

  it('resumes after a crash on WebGPU along the uninterrupted run’s path (weights, Adam, dropout draws)', async () => {
    const whole = await train(seedRun('whole', 'webgpu', { checkpoint_every: 2 }));
    const crashed = await train(seedRun('crashed', 'webgpu', { checkpoint_every: 2 }), 5);
    expect(crashed.code).toBe('simulated crash');
    const resumed = await train(seedRun('crashed', 'webgpu', { checkpoint_every: 2, resume: true }));
    expect(resumed.code).toBe(EXIT.ok);
    // GPU float rounding after a reload: 1e-5 relative (a wrong restore is off by far more).
    for (const [step, loss] of resumed.losses)
      expect(Math.abs(loss - whole.losses.get(step)!), `step ${step}`).toBeLessThan(1e-5 * Math.max(1, loss));
    expect(Math.min(...resumed.losses.keys())).toBe(5);
  }, 300_000);

  it('refuses several gradient replicas on WebGPU, naming the flag', async () => {
    const run = await train({ ...seedRun('replicas', 'webgpu'), workers: 2 });
    expect(run.code).toMatch(/--workers 2: on WebGPU the GPU is the parallelism/);
  }, 60_000);
});
