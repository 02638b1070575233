import { openMetricsLog, type Metrics, type MetricsLog, type MetricsRecord, type Split } from './metrics-log.js';
import type { RunDirectory } from './run-directory.js';
import { writeSummary, type RunSummary } from './run-summary.js';

/** A destination for run data besides the local files (e.g. W&B). Must not throw or block training. */
export interface TrackerSink {
  readonly name: string;
  log(record: MetricsRecord): void;
  summary(summary: RunSummary): void;
  /** Resolves once pending uploads are done or given up on; must be bounded in time. */
  finish(): Promise<void>;
}

export interface Tracker {
  readonly run: RunDirectory;
  /** Appends to metrics.jsonl (throws if the disk write fails) and forwards to every sink. */
  log(step: number, metrics: Metrics, where: { epoch: number; split?: Split }): MetricsRecord;
  /** Writes summary.json atomically and forwards to every sink. */
  summary(summary: RunSummary): Promise<void>;
  /** Waits for every sink to flush (each within its own bound). Further calls to log/summary throw. */
  finish(): Promise<void>;
}

export interface CreateTrackerOptions {
  run: RunDirectory;
  /** Extra sinks; `undefined` entries (a disabled sink, e.g. W&B without an API key) are skipped. */
  sinks?: ReadonlyArray<TrackerSink | undefined>;
  /** On resume: the step of the checkpoint being resumed; later metrics lines are dropped so they are not duplicated. */
  resumeFromStep?: number;
  warn?: (message: string) => void;
}

/** The local files are always written; sinks get the same records. */
export async function createTracker(options: CreateTrackerOptions): Promise<Tracker> {
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const { run } = options;
  if (options.resumeFromStep !== undefined && !run.resumed) {
    throw new Error(
      `createTracker: resumeFromStep=${options.resumeFromStep} given, but run ${run.dir} was not opened with --resume`,
    );
  }
  const metricsLog: MetricsLog = await openMetricsLog(run.paths.metrics, {
    truncateAfterStep: options.resumeFromStep,
    onTornLine: (line) =>
      warn(`${run.paths.metrics}: dropped a partial last line (${line.length} chars) left by an interrupted run`),
  });
  const sinks = (options.sinks ?? []).filter((sink): sink is TrackerSink => sink !== undefined);
  const guard = sinkGuard(warn);
  let finished = false;
  const assertOpen = (what: string) => {
    if (finished) throw new Error(`Tracker.${what} called after finish() for run ${run.dir}`);
  };

  return {
    run,
    log(step, metrics, where) {
      assertOpen('log');
      const record = metricsLog.append({ step, epoch: where.epoch, split: where.split, metrics });
      for (const sink of sinks) guard(sink, () => sink.log(record));
      return record;
    },
    async summary(summary) {
      assertOpen('summary');
      await writeSummary(run.paths.summary, summary);
      for (const sink of sinks) guard(sink, () => sink.summary(summary));
    },
    async finish() {
      if (finished) return;
      finished = true;
      const results = await Promise.allSettled(sinks.map((sink) => sink.finish()));
      results.forEach((result, i) => {
        if (result.status === 'rejected')
          warn(`tracking sink ${sinks[i]!.name}: finish failed: ${String(result.reason)}`);
      });
    },
  };
}

/** A sink that breaks its contract and throws still must not stop training: warn once per sink, carry on. */
function sinkGuard(warn: (message: string) => void): (sink: TrackerSink, call: () => void) => void {
  const warned = new Set<string>();
  return (sink, call) => {
    try {
      call();
    } catch (error) {
      if (warned.has(sink.name)) return;
      warned.add(sink.name);
      warn(
        `tracking sink ${sink.name} failed: ${String(error)}; training continues, further errors from it are not shown`,
      );
    }
  };
}
