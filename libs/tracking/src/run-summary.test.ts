import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MetricsRecord } from './metrics-log.js';
import { readSummary, summarizeMetrics, writeSummary } from './run-summary.js';
import { useTempDirs } from './test-helpers/temp-dir.js';

const tempDir = useTempDirs();

const RECORDS: MetricsRecord[] = [
  { step: 10, epoch: 0, time: 1, split: 'train', metrics: { loss: 3 } },
  { step: 10, epoch: 0, time: 2, split: 'val', metrics: { loss: 2.9, bleu4: 0.1 } },
  { step: 20, epoch: 1, time: 3, split: 'train', metrics: { loss: 2 } },
  { step: 20, epoch: 1, time: 4, split: 'val', metrics: { loss: 2.5, bleu4: 0.3 } },
  { step: 30, epoch: 2, time: 5, split: 'val', metrics: { loss: Number.NaN, bleu4: 0.25 } },
  { step: 30, epoch: 2, time: 6, metrics: { lr: 0.0005 } },
];

describe('summarizeMetrics', () => {
  it('finds the best metric of the chosen split and mode, and the final value of each key', () => {
    const summary = summarizeMetrics(RECORDS, {
      best: { metric: 'bleu4', split: 'val', mode: 'max' },
      wallTimeSeconds: 50,
      examplesSeen: 1000,
    });
    expect(summary.best).toEqual({ metric: 'val/bleu4', mode: 'max', value: 0.3, step: 20, epoch: 1 });
    expect(summary.final['train/loss']).toBe(2);
    expect(summary.final['val/bleu4']).toBe(0.25);
    expect(summary.final['lr']).toBe(0.0005);
    expect(summary.examplesPerSecond).toBe(20);
  });

  it('min mode skips NaN and other splits', () => {
    const summary = summarizeMetrics(RECORDS, {
      best: { metric: 'loss', split: 'val', mode: 'min' },
      wallTimeSeconds: 1,
      examplesSeen: 0,
    });
    expect(summary.best).toMatchObject({ metric: 'val/loss', value: 2.5, step: 20 });
  });

  it('rejects a non-positive wall time and an unknown mode', () => {
    expect(() => summarizeMetrics(RECORDS, { wallTimeSeconds: 0, examplesSeen: 1 })).toThrow(
      /wallTimeSeconds must be > 0, got 0/,
    );
    expect(() =>
      summarizeMetrics(RECORDS, {
        best: { metric: 'loss', mode: 'lowest' as 'min' },
        wallTimeSeconds: 1,
        examplesSeen: 1,
      }),
    ).toThrow(/'max' or 'min', got "lowest"/);
  });
});

describe('writeSummary', () => {
  it('writes summary.json atomically (no temp file left) and reads it back', async () => {
    const dir = await tempDir();
    const summary = summarizeMetrics(RECORDS, { wallTimeSeconds: 2, examplesSeen: 10 });
    await writeSummary(join(dir, 'summary.json'), summary);
    await writeSummary(join(dir, 'summary.json'), { ...summary, wallTimeSeconds: 4 });
    expect(await readdir(dir)).toEqual(['summary.json']);
    expect((await readSummary(join(dir, 'summary.json'))).wallTimeSeconds).toBe(4);
  });
});
