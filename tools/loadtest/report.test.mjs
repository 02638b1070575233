import { describe, expect, it } from 'vitest';
import { encodeCaptionForm } from './multipart.mjs';
import {
  checkFastRefusals,
  checkFloodBounded,
  checkOverloadStatuses,
  checkRssFlat,
  checkTensorsConstant,
  percentile,
  readMetric,
  summariseRun,
} from './report.mjs';

const METRICS = `# HELP imgcap_tfjs_tensors_alive tfjs tensors currently allocated
# TYPE imgcap_tfjs_tensors_alive gauge
imgcap_tfjs_tensors_alive 49
imgcap_tfjs_tensors_alive_total{x="1"} 7
process_resident_memory_bytes 158203904
`;

const overload = (status, latency = {}) => ({ run: 'overload', status, latency_ms: latency, errors: 0, timeouts: 0 });
const sample = (at, tensors, rss) => ({ at, tensors_alive: tensors, rss_bytes: rss });

describe('load test figures', () => {
  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([], 50)).toBeUndefined();
  });

  it('reads an unlabelled sample by its exact name and reports a missing one as undefined', () => {
    expect(readMetric(METRICS, 'imgcap_tfjs_tensors_alive')).toBe(49);
    expect(readMetric(METRICS, 'process_resident_memory_bytes')).toBe(158203904);
    expect(readMetric(METRICS, 'imgcap_caption_inflight')).toBeUndefined();
  });

  it('counts only 200s as captions per second', () => {
    const result = {
      connections: 4,
      duration: 2,
      statusCodeStats: { 200: { count: 10 }, 503: { count: 90 } },
      errors: 0,
      timeouts: 0,
    };
    const run = summariseRun(
      'overload',
      result,
      new Map([
        ['200', [10, 20]],
        ['503', [1]],
      ]),
    );
    expect(run.captions_per_s).toBe(5);
    expect(run.latency_ms['503']).toEqual({ count: 1, p50: 1, p99: 1, max: 1 });
  });
});

describe('load test verdicts', () => {
  it('fails an overload run that saw a status other than 200 or 503, or no 503 at all', () => {
    expect(checkOverloadStatuses(overload({ 200: 5, 503: 50 })).ok).toBe(true);
    expect(checkOverloadStatuses(overload({ 200: 5, 503: 50, 500: 1 }))).toMatchObject({
      ok: false,
      fatal: true,
      detail: '1× HTTP 500',
    });
    expect(checkOverloadStatuses(overload({ 200: 5 })).ok).toBe(false);
    expect(checkOverloadStatuses({ ...overload({ 200: 5, 503: 1 }), errors: 2 }).ok).toBe(false);
  });

  it('fails refusals slower than a typical caption', () => {
    expect(checkFastRefusals(overload({}, { 200: { p50: 300 }, 503: { p99: 40 } })).ok).toBe(true);
    expect(checkFastRefusals(overload({}, { 200: { p50: 300 }, 503: { p99: 400 } })).ok).toBe(false);
  });

  it('fails when tensors alive change across the soak or are not exported', () => {
    expect(checkTensorsConstant([sample(0, 49), sample(0.25, 49), sample(1, 49)]).ok).toBe(true);
    expect(checkTensorsConstant([sample(0, 49), sample(0.25, 52), sample(1, 55)])).toMatchObject({
      ok: false,
      fatal: true,
    });
    expect(checkTensorsConstant([sample(0, undefined), sample(1, undefined)]).detail).toMatch(
      /does not export imgcap_tfjs_tensors_alive/,
    );
  });

  it('compares RSS after warm-up (25%) with the end, ignoring the cold start', () => {
    const mib = 2 ** 20;
    expect(checkRssFlat([sample(0, 1, 50 * mib), sample(0.25, 1, 150 * mib), sample(1, 1, 160 * mib)]).ok).toBe(true);
    expect(checkRssFlat([sample(0.25, 1, 150 * mib), sample(1, 1, 200 * mib)])).toMatchObject({
      ok: false,
      fatal: false,
    });
  });
});

describe('caption upload', () => {
  it('encodes the image as the single multipart field "file" with its boundary in the content type', async () => {
    const { body, headers } = await encodeCaptionForm({ bytes: Buffer.from('JPEGBYTES'), filename: 'x.jpg' });
    const boundary = headers['content-type'].match(/^multipart\/form-data; boundary=(.+)$/)[1];
    const text = body.toString('latin1');
    expect(text).toContain(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.jpg"`);
    expect(text).toContain('JPEGBYTES');
    expect(text.trimEnd().endsWith(`--${boundary}--`)).toBe(true);
  });
});

describe('checkFloodBounded', () => {
  const flood = (before, peak, after, failed = 0) => ({
    rss_before: before,
    rss_peak: peak,
    rss_after: after,
    healthz_failed: failed,
    healthz_p99_ms: 3,
    statuses: { 503: 984 },
  });
  const MiB = 2 ** 20;
  it('passes a flood that stays within the upload budget, keeps /healthz up and gives the memory back', () => {
    expect(checkFloodBounded(flood(150 * MiB, 320 * MiB, 170 * MiB))).toMatchObject({ ok: true, fatal: true });
  });
  it('fails on growth past the budget, a failed /healthz, or memory kept after the sockets closed', () => {
    expect(checkFloodBounded(flood(150 * MiB, 1600 * MiB, 160 * MiB)).ok).toBe(false);
    expect(checkFloodBounded(flood(150 * MiB, 300 * MiB, 160 * MiB, 2)).ok).toBe(false);
    expect(checkFloodBounded(flood(150 * MiB, 300 * MiB, 900 * MiB)).ok).toBe(false);
  });
});
