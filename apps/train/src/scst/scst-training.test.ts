import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, runTraining } from '../run-training.js';
import { train, useTrainingFixture } from '../test-helpers/training-run.js';

const { fixture, configFor } = useTrainingFixture();

describe('self-critical training', () => {
  it('adds self-critical epochs: scst metrics, val CIDEr-D as the best, and a resume mid-way follows the whole run', async () => {
    const scst = { epochs: 1, scst_epochs: 2, scst_images: 4, scst_samples: 3, checkpoint_every: 4, val_sample: 6 };
    const whole = await train(configFor('scst-whole', scst));
    expect(whole.code).toBe(EXIT.ok);
    const records = (await readFile(join(fixture.root, 'scst-whole', 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const scstRecords = records.filter((r) => r.split === 'scst');
    expect(scstRecords.length).toBeGreaterThan(0);
    for (const r of scstRecords) {
      expect(Number.isFinite(r.reward) && Number.isFinite(r.baseline)).toBe(true);
      expect(r.epoch).toBeGreaterThanOrEqual(1);
    }
    expect(records.filter((r) => r.split === 'val')).toHaveLength(3);
    expect(whole.logs.join('\n')).toMatch(/before self-critical training: val CIDEr-D/);
    expect(whole.logs.join('\n')).toMatch(/restored the best weights \(step \d+, val CIDEr-D/);
    const summary = JSON.parse(await readFile(join(fixture.root, 'scst-whole', 'summary.json'), 'utf8'));
    expect(summary.best).toMatchObject({ metric: 'val/cider', mode: 'max' });
    expect(await readFile(join(fixture.root, 'scst-whole', 'report.html'), 'utf8')).toContain('Self-critical training');
    // 10 cross-entropy steps (160 captions / 16), then 8 self-critical steps per epoch (30 images / 4).
    const crashAt = 10 + 5;
    const crashed = await train(configFor('scst-crashed', scst), crashAt);
    expect(crashed.code).toBe('simulated crash');
    const resumed = await train(configFor('scst-crashed', { ...scst, resume: true }));
    expect(resumed.code).toBe(EXIT.ok);
    expect(resumed.logs.join('\n')).toMatch(/resumed from .*step-000000012/);
    expect(resumed.losses.size).toBeGreaterThan(10);
    for (const [step, loss] of resumed.losses) expect(loss, `step ${step}`).toBeCloseTo(whole.losses.get(step)!, 5);
  });

  it('--init_from starts from a bundle (its weights and vocabulary) and refuses a different model shape', async () => {
    const from = join(fixture.root, 'scst-whole');
    const only = await train(configFor('scst-only', { epochs: 0, scst_epochs: 1, scst_images: 4, init_from: from }));
    expect(only.code).toBe(EXIT.ok);
    expect(only.logs.join('\n')).toMatch(/initial weights from .*scst-whole/);
    const wider = configFor('scst-wide', { epochs: 0, scst_epochs: 1, embed_dim: 32, init_from: from });
    await expect(runTraining(wider, { log: () => {} })).rejects.toThrow(
      /--init_from .*embedDim: bundle 16, this run 32/,
    );
  });
});
