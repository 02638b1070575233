import { describe, expect, it, vi } from 'vitest';
import type { MetricsRecord } from './metrics-log.js';
import { fakeWandb } from './test-helpers/fake-wandb.js';
import { createWandbSink, type WandbClient, type WandbSinkOptions } from './wandb-sink.js';

const sdkMock = vi.hoisted(() => ({ imports: 0, inits: [] as unknown[] }));
vi.mock('@wandb/sdk', () => {
  sdkMock.imports += 1;
  return {
    default: {
      init: async (options: unknown) => {
        sdkMock.inits.push(options);
        return { log() {}, finish: async () => {} };
      },
    },
  };
});

const CONFIG = { lr: 0.001, batch_size: 128 };
const TRAIN: MetricsRecord = { step: 10, epoch: 0, time: 1, split: 'train', metrics: { loss: 2.5 } };
const VAL: MetricsRecord = { step: 10, epoch: 0, time: 2, split: 'val', metrics: { bleu4: 0.2, loss: 2.8 } };

/** An enabled sink (project and key given) on `client`, quiet unless `options` pass a `warn`. */
function sinkOf(client: WandbClient, options: Partial<WandbSinkOptions> = {}) {
  return createWandbSink({ project: 'p', config: CONFIG, apiKey: 'k', client, warn: () => {}, ...options })!;
}

function collectWarnings() {
  const warnings: string[] = [];
  return { warnings, warn: (message: string) => warnings.push(message) };
}

describe('createWandbSink', () => {
  it('is off without a project, and off with one warning without an API key', () => {
    vi.stubEnv('WANDB_API_KEY', '');
    const { warnings, warn } = collectWarnings();
    expect(createWandbSink({ config: CONFIG, warn, client: fakeWandb().client })).toBeUndefined();
    expect(warnings).toEqual([]);
    expect(createWandbSink({ project: 'imgcap', config: CONFIG, warn })).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/WANDB_API_KEY/);
    vi.unstubAllEnvs();
  });

  it('imports @wandb/sdk only when enabled, and takes the key from WANDB_API_KEY', async () => {
    vi.stubEnv('WANDB_API_KEY', '');
    createWandbSink({ project: 'imgcap', config: CONFIG, warn: () => {} });
    expect(sdkMock.imports).toBe(0);
    vi.stubEnv('WANDB_API_KEY', 'env-key');
    const sink = createWandbSink({ project: 'imgcap', config: CONFIG });
    await sink!.finish();
    expect(sdkMock.imports).toBe(1);
    expect(sdkMock.inits).toEqual([
      expect.objectContaining({ project: 'imgcap', settings: expect.objectContaining({ apiKey: 'env-key' }) }),
    ]);
    vi.unstubAllEnvs();
  });

  it('passes project, entity, name, config and key to init, and maps metrics to split/name at the step', async () => {
    const fake = fakeWandb();
    const sink = createWandbSink({
      project: 'imgcap',
      entity: 'me',
      name: 'run-1',
      config: CONFIG,
      apiKey: 'k',
      client: fake.client,
    });
    sink!.log(TRAIN);
    sink!.log(VAL);
    sink!.log({ step: 11, epoch: 0, time: 3, metrics: { lr: 0.0009 } });
    // The Keras project's epoch record: its callback's names, unprefixed, so its W&B panels show imgcap runs.
    sink!.log({ step: 12, epoch: 0, time: 4, metrics: { loss: 2.6, acc: 0.31, val_loss: 2.8, val_acc: 0.29 } });
    await sink!.finish();
    expect(fake.inits).toEqual([
      {
        project: 'imgcap',
        entity: 'me',
        name: 'run-1',
        config: CONFIG,
        settings: { apiKey: 'k', baseUrl: 'https://api.wandb.ai' },
      },
    ]);
    expect(fake.logs.map(({ data, step }) => [step, data])).toEqual([
      [10, { epoch: 0, 'train/loss': 2.5, _step: 10 }],
      [10, { epoch: 0, 'val/bleu4': 0.2, 'val/loss': 2.8, _step: 10 }],
      [11, { epoch: 0, lr: 0.0009, _step: 11 }],
      [12, { epoch: 0, loss: 2.6, acc: 0.31, val_loss: 2.8, val_acc: 0.29, _step: 12 }],
    ]);
    expect(fake.finishCount()).toBe(1);
  });

  it('logs the summary once under summary/…', async () => {
    const fake = fakeWandb();
    const sink = sinkOf(fake.client);
    sink.summary({
      best: { metric: 'val/bleu4', mode: 'max', value: 0.3, step: 20, epoch: 1 },
      final: { 'train/loss': 2 },
      wallTimeSeconds: 60,
      examplesPerSecond: 12,
    });
    await sink.finish();
    expect(fake.logs).toHaveLength(1);
    expect(fake.logs[0]!.data).toMatchObject({
      'summary/best/val/bleu4': 0.3,
      'summary/final/train/loss': 2,
      'summary/wall_time_s': 60,
      'summary/examples_per_s': 12,
    });
  });

  it('a rejecting init gives one warning, and later calls neither throw nor warn again', async () => {
    const fake = fakeWandb({ init: 'reject' });
    const { warnings, warn } = collectWarnings();
    const sink = createWandbSink({ project: 'p', config: CONFIG, apiKey: 'bad', client: fake.client, warn })!;
    for (let step = 0; step < 50; step += 1) expect(() => sink.log({ ...TRAIN, step })).not.toThrow();
    await sink.finish();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/W&B init failed: 401 Unauthorized; training continues/);
  });

  it('a log that throws on every call gives one warning in total, and logging keeps being attempted', async () => {
    const fake = fakeWandb({ log: 'throw' });
    const { warnings, warn } = collectWarnings();
    const sink = sinkOf(fake.client, { warn });
    for (let step = 0; step < 100; step += 1) sink.log({ ...TRAIN, step });
    await sink.finish();
    expect(warnings).toEqual([expect.stringMatching(/W&B log failed: socket hang up/)]);
    expect(fake.finishCount()).toBe(1);
  });

  it('finish() returns within its bound when init hangs', async () => {
    const fake = fakeWandb({ init: 'hang' });
    const { warnings, warn } = collectWarnings();
    const sink = sinkOf(fake.client, { warn, finishTimeoutMs: 150 });
    sink.log(TRAIN);
    const started = performance.now();
    await sink.finish();
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1000);
    expect(warnings).toEqual([expect.stringMatching(/finish did not complete within 150 ms/)]);
  });

  it('finish() returns within its bound when the upload flush hangs', async () => {
    const fake = fakeWandb({ finish: 'hang' });
    const sink = sinkOf(fake.client, { warn: () => {}, finishTimeoutMs: 100 });
    const started = performance.now();
    await sink.finish();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(fake.finishCount()).toBe(1);
  });

  it('gives up on a run that never starts after initTimeoutMs, warning once', async () => {
    const fake = fakeWandb({ init: 'hang' });
    const { warnings, warn } = collectWarnings();
    const sink = sinkOf(fake.client, { warn, initTimeoutMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 80));
    sink.log(TRAIN);
    const started = performance.now();
    await sink.finish();
    expect(performance.now() - started).toBeLessThan(100);
    expect(warnings).toEqual([expect.stringMatching(/W&B init failed: init did not complete within 50 ms/)]);
  });

  it("tells the started run's identity, and nothing for a run that never started", async () => {
    const started = sinkOf(fakeWandb().client);
    expect(await started.runIdentity()).toEqual({ id: 'fake-run-id', entity: 'fake-entity', project: 'fake-project' });
    const failed = sinkOf(fakeWandb({ init: 'reject' }).client);
    expect(await failed.runIdentity()).toBeUndefined();
  });
});
