import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { MetricsRecord } from './metrics-log.js';
import { readMetrics } from './metrics-log.js';
import { openRun } from './run-directory.js';
import type { RunSummary } from './run-summary.js';
import { fakeWandb } from './test-helpers/fake-wandb.js';
import { useTempDirs } from './test-helpers/temp-dir.js';
import { createTracker, type TrackerSink } from './tracker.js';
import { createWandbSink } from './wandb-sink.js';

const tempDir = useTempDirs();
const CONFIG = { lr: 0.001 };
const SUMMARY: RunSummary = { final: { 'train/loss': 1 }, wallTimeSeconds: 3, examplesPerSecond: 10 };

function recordingSink(behaviour: { throws?: boolean } = {}) {
  const logged: MetricsRecord[] = [];
  const summaries: RunSummary[] = [];
  let finished = 0;
  const sink: TrackerSink = {
    name: 'recording',
    log(record) {
      if (behaviour.throws) throw new Error('sink down');
      logged.push(record);
    },
    summary: (summary) => void summaries.push(summary),
    finish: async () => void (finished += 1),
  };
  return { sink, logged, summaries, finishCount: () => finished };
}

describe('createTracker', () => {
  it('writes each log to metrics.jsonl and hands the same record to every sink', async () => {
    const run = await openRun({ dir: await tempDir(), config: CONFIG });
    const first = recordingSink();
    const second = recordingSink();
    const tracker = await createTracker({ run, sinks: [first.sink, undefined, second.sink] });
    const record = tracker.log(5, { loss: 2 }, { epoch: 0, split: 'train' });
    tracker.log(5, { bleu4: 0.1 }, { epoch: 0, split: 'val' });
    expect((await readMetrics(run.paths.metrics)).records).toEqual([record, second.logged[1]]);
    expect(first.logged).toEqual(second.logged);
    expect(first.logged[0]).toBe(record);
  });

  it('summary writes summary.json and reaches the sinks; finish flushes every sink once', async () => {
    const run = await openRun({ dir: await tempDir(), config: CONFIG });
    const sink = recordingSink();
    const tracker = await createTracker({ run, sinks: [sink.sink] });
    await tracker.summary(SUMMARY);
    await tracker.finish();
    await tracker.finish();
    expect(JSON.parse(await readFile(run.paths.summary, 'utf8'))).toEqual(SUMMARY);
    expect(sink.summaries).toEqual([SUMMARY]);
    expect(sink.finishCount()).toBe(1);
    expect(() => tracker.log(6, { loss: 1 }, { epoch: 0 })).toThrow(/after finish\(\)/);
  });

  it('a sink that throws does not stop local logging and warns once', async () => {
    const run = await openRun({ dir: await tempDir(), config: CONFIG });
    const warnings: string[] = [];
    const tracker = await createTracker({
      run,
      sinks: [recordingSink({ throws: true }).sink],
      warn: (m) => warnings.push(m),
    });
    for (let step = 1; step <= 20; step += 1) tracker.log(step, { loss: 1 / step }, { epoch: 0, split: 'train' });
    expect((await readMetrics(run.paths.metrics)).records).toHaveLength(20);
    expect(warnings).toEqual([expect.stringMatching(/sink recording failed: Error: sink down; training continues/)]);
  });

  it('with a failing W&B service, training logs locally with a single warning', async () => {
    const run = await openRun({ dir: await tempDir(), config: CONFIG });
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    const wandb = createWandbSink({
      project: 'p',
      config: run.config,
      apiKey: 'k',
      client: fakeWandb({ init: 'reject' }).client,
      warn,
    });
    const tracker = await createTracker({ run, sinks: [wandb], warn });
    for (let step = 1; step <= 30; step += 1) tracker.log(step, { loss: 1 }, { epoch: 0, split: 'train' });
    await tracker.finish();
    expect((await readMetrics(run.paths.metrics)).records).toHaveLength(30);
    expect(warnings).toHaveLength(1);
  });

  it('on resume drops metrics after the checkpoint step and warns about a torn line', async () => {
    const dir = await tempDir();
    const first = await createTracker({ run: await openRun({ dir, config: CONFIG }) });
    for (let step = 1; step <= 6; step += 1) first.log(step, { loss: 1 }, { epoch: 0, split: 'train' });
    const run = await openRun({ dir, config: CONFIG, resume: true });
    await writeFile(run.paths.metrics, (await readFile(run.paths.metrics, 'utf8')) + '{"step":7,"epo');
    const warnings: string[] = [];
    const resumed = await createTracker({ run, resumeFromStep: 4, warn: (m) => warnings.push(m) });
    resumed.log(5, { loss: 0.5 }, { epoch: 0, split: 'train' });
    const { records, tornLine } = await readMetrics(run.paths.metrics);
    expect(tornLine).toBeUndefined();
    expect(records.map((r) => [r.step, r.metrics['loss']])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 1],
      [5, 0.5],
    ]);
    expect(warnings).toEqual([expect.stringMatching(/dropped a partial last line/)]);
  });

  it('refuses resumeFromStep on a run that was not resumed', async () => {
    const run = await openRun({ dir: await tempDir(), config: CONFIG });
    await expect(createTracker({ run, resumeFromStep: 3 })).rejects.toThrow(/resumeFromStep=3.*--resume/);
  });
});
