// Repeat-and-summarise helpers shared by every benchmark group. A figure is always a median over
// timed repeats after untimed warm-ups, reported with its spread: the dev machine is 2 shared
// cores, so a single run says little and a mean is dragged by one slow outlier.
import * as tf from '@tensorflow/tfjs-core';

/** Spread (max − min) / median above this marks a figure `noisy: true`. */
export const NOISY_SPREAD = 0.2;

export function median(values) {
  if (values.length === 0) throw new Error('median of no values: measure at least one repeat.');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Rounds for the JSON report: 3 significant digits is all a shared machine can tell apart. */
export function round(value) {
  return Number.isFinite(value) ? Number(value.toPrecision(3)) : value;
}

/** `{ median, min, max, repeats, noisy }` of raw samples (all rounded). */
export function summarize(samples) {
  const middle = median(samples);
  const min = Math.min(...samples);
  const max = Math.max(...samples);
  const spread = middle === 0 ? 0 : (max - min) / Math.abs(middle);
  return {
    median: round(middle),
    min: round(min),
    max: round(max),
    repeats: samples.length,
    noisy: spread > NOISY_SPREAD,
  };
}

/**
 * Runs `run` `warmup` times untimed, then `repeats` times timed; returns the elapsed milliseconds of
 * each timed run. `run` must finish its backend work before resolving (read a result with data()).
 */
export async function timeRepeats(run, { repeats, warmup = 1 }) {
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`repeats must be a positive integer, got ${repeats}.`);
  for (let i = 0; i < warmup; i++) await run();
  const samples = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return samples;
}

/** Summary of a rate (`work` units per second) from elapsed-millisecond samples. */
export function rateSummary(work, millisecondSamples) {
  return summarize(millisecondSamples.map((ms) => (work * 1000) / ms));
}

/**
 * Runs a benchmark group and adds `leaked_tensors`: tensors still alive after the group that were not
 * alive before it. A non-zero value means a per-call path leaks — exactly what would sink a server.
 */
export async function withTensorAudit(group) {
  const before = tf.memory().numTensors;
  const result = await group();
  return { ...result, leaked_tensors: tf.memory().numTensors - before };
}
