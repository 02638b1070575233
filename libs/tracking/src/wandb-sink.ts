import type { MetricsRecord } from './metrics-log.js';
import { metricKey, type RunSummary } from './run-summary.js';
import type { TrackerSink } from './tracker.js';

/** The slice of `@wandb/sdk` 0.5.1's `init` options this sink uses. */
export interface WandbInitOptions {
  project: string;
  entity?: string;
  name?: string;
  config: Record<string, unknown>;
  settings: { apiKey: string; baseUrl: string };
}

/** Mirrors the SDK's `Run`: `log` is synchronous (queued to a sender), `finish` flushes uploads. */
export interface WandbRun {
  /** The SDK's run id, entity and project, as W&B resolved them (e.g. the API key's default entity). */
  readonly id?: string;
  readonly entity?: string;
  readonly project?: string;
  log(data: Record<string, unknown>, step?: number, commit?: boolean): void;
  finish(code?: number): Promise<void>;
}

/** Mirrors the SDK's default export (`wandb.init`); tests inject a fake. */
export interface WandbClient {
  init(options: WandbInitOptions): Promise<WandbRun>;
}

export interface WandbSinkOptions {
  /** W&B project; without it the sink is disabled. */
  project?: string;
  entity?: string;
  /** Display name of the run. */
  name?: string;
  /** The resolved run config, shown in W&B's config panel. */
  config: Readonly<Record<string, unknown>>;
  /** Defaults to `WANDB_API_KEY`; without a key the sink is disabled (no interactive login during training). */
  apiKey?: string;
  /** Defaults to `WANDB_BASE_URL`, else https://api.wandb.ai. */
  baseUrl?: string;
  /** Defaults to the real `@wandb/sdk`, imported only when the sink is enabled. */
  client?: WandbClient;
  /** Longest wait for the run to start; after it, W&B is given up for this run. Default 30 s. */
  initTimeoutMs?: number;
  /** Longest wait in `finish()` for pending uploads. Default 10 s. */
  finishTimeoutMs?: number;
  warn?: (message: string) => void;
}

/** Where the run landed in W&B, for commands that refer to it (e.g. the artifact upload). */
export interface WandbRunIdentity {
  id: string;
  entity?: string;
  project: string;
}

export interface WandbSink extends TrackerSink {
  /** The started run's identity, or `undefined` if it never started. */
  runIdentity(): Promise<WandbRunIdentity | undefined>;
}

const DEFAULT_INIT_TIMEOUT_MS = 30_000;
const DEFAULT_FINISH_TIMEOUT_MS = 10_000;

/**
 * A W&B sink, or `undefined` when W&B is not configured (no project or no API key). The service is best effort:
 * calls return at once, failures print one warning in total, and metrics.jsonl stays the record of truth.
 */
export function createWandbSink(options: WandbSinkOptions): WandbSink | undefined {
  const warn = options.warn ?? ((message: string) => console.warn(message));
  if (!options.project) return undefined;
  const apiKey = options.apiKey ?? process.env['WANDB_API_KEY'];
  if (!apiKey) {
    warn(
      `W&B project "${options.project}" given but no API key (set WANDB_API_KEY); W&B logging is off, local logs only.`,
    );
    return undefined;
  }
  let warned = false;
  const fail = (what: string, error: unknown) => {
    if (warned) return;
    warned = true;
    warn(
      `W&B ${what} failed: ${errorMessage(error)}; training continues with local logs only (further W&B errors are not shown).`,
    );
  };
  const initOptions: WandbInitOptions = {
    project: options.project,
    ...(options.entity ? { entity: options.entity } : {}),
    ...(options.name ? { name: options.name } : {}),
    config: { ...options.config },
    settings: { apiKey, baseUrl: options.baseUrl ?? (process.env['WANDB_BASE_URL'] || 'https://api.wandb.ai') },
  };
  const initTimeoutMs = options.initTimeoutMs ?? DEFAULT_INIT_TIMEOUT_MS;
  // Resolves to `undefined` when the run never started (failed or timed out), so later calls drop their data
  // instead of queueing it for the whole training run.
  const runReady: Promise<WandbRun | undefined> = withTimeout(
    startRun(options.client, initOptions),
    initTimeoutMs,
    'init',
  ).catch((error: unknown) => {
    fail('init', error);
    return undefined;
  });

  const send = (what: string, use: (run: WandbRun) => void | Promise<void>) => {
    void runReady
      .then(async (run) => {
        if (run !== undefined) await use(run);
      })
      .catch((error: unknown) => fail(what, error));
  };

  return {
    name: 'wandb',
    log(record) {
      const data = toWandbData(record);
      send('log', (run) => run.log(data, record.step));
    },
    summary(summary) {
      const data = summaryData(summary);
      send('summary', (run) => run.log(data));
    },
    runIdentity: async () => identityOf(await runReady, initOptions.project),
    async finish() {
      const finishTimeoutMs = options.finishTimeoutMs ?? DEFAULT_FINISH_TIMEOUT_MS;
      const flushed = runReady.then((run) => run?.finish());
      await withTimeout(flushed, finishTimeoutMs, 'finish').catch((error: unknown) => fail('finish', error));
    },
  };
}

function identityOf(run: WandbRun | undefined, project: string): WandbRunIdentity | undefined {
  if (!run?.id) return undefined;
  return { id: run.id, project: run.project ?? project, ...(run.entity ? { entity: run.entity } : {}) };
}

async function startRun(client: WandbClient | undefined, initOptions: WandbInitOptions): Promise<WandbRun> {
  const sdk: WandbClient = client ?? (await import('@wandb/sdk')).default;
  return sdk.init(initOptions);
}

/** `{ step, epoch, split: 'val', metrics: { bleu4 } }` → `{ 'val/bleu4': …, epoch }`, W&B's section/name convention. */
function toWandbData(record: MetricsRecord): Record<string, unknown> {
  // A fresh object per call: the SDK's Run.log writes `_step` into the object it is given.
  const data: Record<string, unknown> = { epoch: record.epoch };
  for (const [name, value] of Object.entries(record.metrics)) data[metricKey(name, record.split)] = value;
  return data;
}

/** The JS SDK 0.5.1 has no `run.summary`; the summary is logged once under `summary/…`. */
function summaryData(summary: RunSummary): Record<string, unknown> {
  const data: Record<string, unknown> = {
    'summary/wall_time_s': summary.wallTimeSeconds,
    'summary/examples_per_s': summary.examplesPerSecond,
  };
  if (summary.best) data[`summary/best/${summary.best.metric}`] = summary.best.value;
  for (const [key, value] of Object.entries(summary.final)) data[`summary/final/${key}`] = value;
  return data;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not complete within ${ms} ms`)), ms);
    // The timer alone must not keep a finished training process alive.
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
