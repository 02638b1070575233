import { appendFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-file.js';

// 'scst': self-critical training steps (reward, baseline), logged apart from cross-entropy's 'train'.
export const SPLITS = ['train', 'val', 'scst'] as const;
export type Split = (typeof SPLITS)[number];

/** Named scalar values logged at one step, e.g. `{ loss: 2.31, acc: 0.41 }`. */
export type Metrics = Readonly<Record<string, number>>;

/** One line of metrics.jsonl. `time` is Unix epoch milliseconds when the line was written. */
export interface MetricsRecord {
  readonly step: number;
  /** The 0-based epoch index: what the training console and the report call "epoch 1" is 0 here. */
  readonly epoch: number;
  readonly time: number;
  readonly split?: Split;
  readonly metrics: Metrics;
}

export interface MetricsReadResult {
  readonly records: MetricsRecord[];
  /** A partial last line (the process died mid-write); it is not in `records`. */
  readonly tornLine?: string;
}

export interface MetricsLog {
  readonly path: string;
  /** Appends one line synchronously, so a crash right after a step still leaves that step on disk. */
  append(entry: { step: number; epoch: number; split?: Split; metrics: Metrics }): MetricsRecord;
}

export interface OpenMetricsLogOptions {
  /** On resume: drop records with step > this, so re-run steps are not logged twice. */
  truncateAfterStep?: number;
}

const RESERVED_KEYS = new Set(['step', 'epoch', 'time', 'split']);

/**
 * Opens metrics.jsonl for appending. A torn last line is removed (and reported via `onTornLine`) so the next
 * record does not get glued onto it.
 */
export async function openMetricsLog(
  path: string,
  options: OpenMetricsLogOptions & { onTornLine?: (line: string) => void } = {},
): Promise<MetricsLog> {
  const lastKeptStep =
    options.truncateAfterStep === undefined ? Infinity : requireStep(options.truncateAfterStep, 'truncateAfterStep');
  const { records, tornLine, endsWithNewline } = await readLog(path);
  const keep = records.filter((record) => record.step <= lastKeptStep);
  if (tornLine !== undefined) options.onTornLine?.(tornLine);
  if (keep.length !== records.length || tornLine !== undefined || !endsWithNewline) {
    await writeFileAtomic(path, keep.map((record) => `${serializeRecord(record)}\n`).join(''));
  }
  return {
    path,
    append(entry) {
      const record: MetricsRecord = { ...validateEntry(entry), time: Date.now() };
      appendFileSync(path, `${serializeRecord(record)}\n`, 'utf8');
      return record;
    },
  };
}

/** Reads metrics.jsonl; a missing file reads as no records. */
export async function readMetrics(path: string): Promise<MetricsReadResult> {
  const { records, tornLine } = await readLog(path);
  return tornLine === undefined ? { records } : { records, tornLine };
}

async function readLog(path: string): Promise<MetricsReadResult & { endsWithNewline: boolean }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], endsWithNewline: true };
    throw error;
  }
  const endsWithNewline = text === '' || text.endsWith('\n');
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  const records = lines.filter((line) => line.trim() !== '').map((line, index) => parseLine(line, path, index + 1));
  if (last.trim() === '') return { records, endsWithNewline };
  // Only the last line may be torn; a corrupt line in the middle is real damage and must not be skipped.
  try {
    records.push(parseRecord(JSON.parse(last), path, lines.length + 1));
    return { records, endsWithNewline };
  } catch {
    return { records, tornLine: last, endsWithNewline };
  }
}

function parseLine(line: string, path: string, lineNumber: number): MetricsRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`${path}:${lineNumber}: not valid JSON: ${line.slice(0, 80)}`);
  }
  return parseRecord(value, path, lineNumber);
}

function parseRecord(value: unknown, path: string, lineNumber: number): MetricsRecord {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${path}:${lineNumber}: expected a JSON object, got ${JSON.stringify(value)}`);
  }
  const { step, epoch, time, split, ...rest } = value as Record<string, unknown>;
  if (typeof step !== 'number' || typeof epoch !== 'number' || typeof time !== 'number') {
    throw new Error(`${path}:${lineNumber}: step, epoch and time must be numbers`);
  }
  if (split !== undefined && !SPLITS.includes(split as Split)) {
    throw new Error(`${path}:${lineNumber}: split ${JSON.stringify(split)} is not one of ${SPLITS.join(', ')}`);
  }
  const metrics: Record<string, number> = {};
  for (const [name, metric] of Object.entries(rest)) {
    // JSON has no NaN/Infinity; they were written as null (see serializeRecord).
    metrics[name] = metric === null ? Number.NaN : Number(metric);
  }
  return split === undefined ? { step, epoch, time, metrics } : { step, epoch, time, split: split as Split, metrics };
}

/** Flat line `{ step, epoch, time, split?, ...metrics }`: easy to load with pandas or jq. */
function serializeRecord(record: MetricsRecord): string {
  const { metrics, ...head } = record;
  // A diverged loss (NaN) is worth keeping in the log; JSON.stringify writes non-finite numbers as null.
  return JSON.stringify({ ...head, ...metrics });
}

function validateEntry(entry: {
  step: number;
  epoch: number;
  split?: Split;
  metrics: Metrics;
}): Omit<MetricsRecord, 'time'> {
  const step = requireStep(entry.step, 'step');
  if (!Number.isFinite(entry.epoch) || entry.epoch < 0) {
    throw new Error(`metrics log: epoch must be a finite number >= 0, got ${entry.epoch}`);
  }
  if (entry.split !== undefined && !SPLITS.includes(entry.split)) {
    throw new Error(`metrics log: split ${JSON.stringify(entry.split)} is not one of ${SPLITS.join(', ')}`);
  }
  for (const [name, value] of Object.entries(entry.metrics)) {
    if (name === '' || RESERVED_KEYS.has(name)) {
      throw new Error(
        `metrics log: metric name ${JSON.stringify(name)} is reserved or empty; reserved: ${[...RESERVED_KEYS].join(', ')}`,
      );
    }
    if (typeof value !== 'number') {
      throw new Error(`metrics log: metric ${name} must be a number, got ${typeof value} ${JSON.stringify(value)}`);
    }
  }
  const base = { step, epoch: entry.epoch, metrics: { ...entry.metrics } };
  return entry.split === undefined ? base : { ...base, split: entry.split };
}

function requireStep(step: number, what: string): number {
  if (!Number.isInteger(step) || step < 0) {
    throw new Error(`metrics log: ${what} must be an integer >= 0, got ${step}`);
  }
  return step;
}
