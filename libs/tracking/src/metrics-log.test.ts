import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openMetricsLog, readMetrics } from './metrics-log.js';
import { useTempDirs } from './test-helpers/temp-dir.js';

const tempDir = useTempDirs();
const logPath = async () => join(await tempDir(), 'metrics.jsonl');

function lines(text: string): Array<Record<string, unknown>> {
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('metrics log', () => {
  it('appends one flat JSON object per line: step, epoch, time, split, metrics', async () => {
    const path = await logPath();
    const log = await openMetricsLog(path);
    const before = Date.now();
    log.append({ step: 1, epoch: 0, split: 'train', metrics: { loss: 2.5, acc: 0.1 } });
    log.append({ step: 1, epoch: 0, metrics: { lr: 0.001 } });
    const written = lines(await readFile(path, 'utf8'));
    expect(written).toHaveLength(2);
    expect(written[0]).toMatchObject({ step: 1, epoch: 0, split: 'train', loss: 2.5, acc: 0.1 });
    expect(written[0]!['time']).toBeGreaterThanOrEqual(before);
    expect(written[1]).not.toHaveProperty('split');
    expect(written[1]).toMatchObject({ lr: 0.001 });
  });

  it('reads back what it wrote, NaN included', async () => {
    const path = await logPath();
    const log = await openMetricsLog(path);
    const first = log.append({ step: 3, epoch: 1, split: 'val', metrics: { bleu4: 0.2 } });
    log.append({ step: 4, epoch: 1, split: 'train', metrics: { loss: Number.NaN } });
    const { records, tornLine } = await readMetrics(path);
    expect(tornLine).toBeUndefined();
    expect(records[0]).toEqual(first);
    expect(records[1]!.metrics['loss']).toBeNaN();
  });

  it('reading ignores and reports a torn last line', async () => {
    const path = await logPath();
    await writeFile(path, '{"step":1,"epoch":0,"time":5,"loss":2}\n{"step":2,"epoch":0,"ti');
    const { records, tornLine } = await readMetrics(path);
    expect(records.map((r) => r.step)).toEqual([1]);
    expect(tornLine).toBe('{"step":2,"epoch":0,"ti');
  });

  it('a corrupt line in the middle is an error naming the line', async () => {
    const path = await logPath();
    await writeFile(path, '{"step":1,"epoch":0,"time":5}\nnot json\n{"step":2,"epoch":0,"time":6}\n');
    await expect(readMetrics(path)).rejects.toThrow(/metrics\.jsonl:2: not valid JSON/);
  });

  it('opening drops a torn tail (reporting it) so the next record starts on its own line', async () => {
    const path = await logPath();
    await writeFile(path, '{"step":1,"epoch":0,"time":5,"loss":2}\n{"step":2,"ep');
    const torn: string[] = [];
    const log = await openMetricsLog(path, { onTornLine: (line) => torn.push(line) });
    log.append({ step: 2, epoch: 0, metrics: { loss: 1.5 } });
    expect(torn).toEqual(['{"step":2,"ep']);
    expect(lines(await readFile(path, 'utf8')).map((r) => [r['step'], r['loss']])).toEqual([
      [1, 2],
      [2, 1.5],
    ]);
  });

  it('opening adds the missing newline after a complete last line', async () => {
    const path = await logPath();
    await writeFile(path, '{"step":1,"epoch":0,"time":5,"loss":2}');
    const log = await openMetricsLog(path);
    log.append({ step: 2, epoch: 0, metrics: { loss: 1 } });
    expect(lines(await readFile(path, 'utf8')).map((r) => r['step'])).toEqual([1, 2]);
  });

  it('resume truncates records after the given step, so re-run steps are not duplicated', async () => {
    const path = await logPath();
    const first = await openMetricsLog(path);
    for (let step = 1; step <= 5; step += 1)
      first.append({ step, epoch: 0, split: 'train', metrics: { loss: 1 / step } });
    first.append({ step: 4, epoch: 0, split: 'val', metrics: { bleu4: 0.1 } });
    const resumed = await openMetricsLog(path, { truncateAfterStep: 3 });
    resumed.append({ step: 4, epoch: 0, split: 'train', metrics: { loss: 0.24 } });
    const { records } = await readMetrics(path);
    expect(records.map((r) => r.step)).toEqual([1, 2, 3, 4]);
    expect(records[3]!.metrics).toEqual({ loss: 0.24 });
  });

  it('rejects reserved or non-numeric metric names and bad steps, naming the value', async () => {
    const log = await openMetricsLog(await logPath());
    expect(() => log.append({ step: 1, epoch: 0, metrics: { step: 3 } })).toThrow(/"step" is reserved/);
    expect(() => log.append({ step: 1, epoch: 0, metrics: { loss: '2' as unknown as number } })).toThrow(
      /loss must be a number/,
    );
    expect(() => log.append({ step: -1, epoch: 0, metrics: {} })).toThrow(/step must be an integer >= 0, got -1/);
    expect(() => log.append({ step: 1, epoch: 0, split: 'test' as 'val', metrics: {} })).toThrow(
      /"test" is not one of train, val/,
    );
    await expect(openMetricsLog(await logPath(), { truncateAfterStep: 1.5 })).rejects.toThrow(/got 1.5/);
  });

  it('a missing file reads as no records', async () => {
    expect(await readMetrics(await logPath())).toEqual({ records: [] });
  });
});
