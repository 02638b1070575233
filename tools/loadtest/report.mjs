// Figures and verdicts of a load test, kept free of I/O so they can be checked without a server.

/** Nearest-rank percentile of `values` (any order); undefined for no values. */
export function percentile(values, p) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

const round1 = (value) => (value === undefined ? undefined : Math.round(value * 10) / 10);

/** p50/p99/max in ms of response times in ms. */
export function latencySummary(times) {
  return {
    count: times.length,
    p50: round1(percentile(times, 50)),
    p99: round1(percentile(times, 99)),
    max: round1(percentile(times, 100)),
  };
}

/**
 * The value of an unlabelled sample `name` in Prometheus text exposition format, or undefined when the server
 * does not export it (a gauge only registered when the server was given a source, say).
 */
export function readMetric(text, name) {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name} `)) continue;
    const value = Number(
      line
        .slice(name.length + 1)
        .trim()
        .split(' ')[0],
    );
    if (!Number.isNaN(value)) return value;
  }
  return undefined;
}

/** Status code → count from autocannon's `statusCodeStats` ({ "200": { count } }). */
export function statusCounts(result) {
  return Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([status, { count }]) => [status, Number(count)]),
  );
}

/**
 * One throughput run: captions per second (200s only, so refusals do not inflate it) and latency per status.
 * `timesByStatus` maps a status code to the response times (ms) seen for it.
 */
export function summariseRun(name, result, timesByStatus) {
  const status = statusCounts(result);
  const latency = Object.fromEntries([...timesByStatus].map(([code, times]) => [code, latencySummary(times)]));
  return {
    run: name,
    connections: result.connections,
    duration_s: round1(result.duration),
    status,
    captions_per_s: round1((status['200'] ?? 0) / result.duration),
    latency_ms: latency,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** `fatal` checks decide the exit code; the others are reported for a person to judge. */
const check = (name, ok, detail, fatal) => ({ check: name, ok, fatal, detail });

/** Under overload the only acceptable answers are a caption (200) or a refusal (503); nothing may fail or hang. */
export function checkOverloadStatuses(run) {
  const others = Object.entries(run.status).filter(([code]) => code !== '200' && code !== '503');
  const bad = others.map(([code, count]) => `${count}× HTTP ${code}`);
  if (run.errors > 0) bad.push(`${run.errors} connection errors (${run.timeouts} timeouts)`);
  if (!run.status['503']) bad.push('no 503 at all: the run did not exceed capacity');
  return check(
    'overload_only_200_and_503',
    bad.length === 0,
    bad.length ? bad.join(', ') : JSON.stringify(run.status),
    true,
  );
}

/**
 * Refusals must be cheap: a 503 slower than a typical caption means refused requests wait in line with real work.
 * The floor keeps a fast fake model (captions in ~1 ms) from failing on timer noise.
 */
export function checkFastRefusals(run, floorMs = 50) {
  const refused = run.latency_ms['503'];
  const served = run.latency_ms['200'];
  if (!refused || !served) return check('refusals_fast', false, 'needs both 200s and 503s in the overload run', false);
  const limit = Math.max(floorMs, served.p50);
  return check(
    'refusals_fast',
    refused.p99 <= limit,
    `503 p99 ${refused.p99} ms vs limit ${limit} ms (max(${floorMs}, 200 p50))`,
    false,
  );
}

/** tfjs tensors alive, sampled while idle, must not change across the soak: any growth is a per-request leak. */
export function checkTensorsConstant(samples) {
  const values = samples.map((sample) => sample.tensors_alive);
  if (values.some((value) => value === undefined)) {
    return check(
      'tensors_constant',
      false,
      'the server does not export imgcap_tfjs_tensors_alive; cannot tell a leak from none',
      true,
    );
  }
  const constant = values.every((value) => value === values[0]);
  return check(
    'tensors_constant',
    constant,
    `tensors alive at ${samples.map((s) => `${s.at * 100}%: ${s.tensors_alive}`).join(', ')}`,
    true,
  );
}

/**
 * RSS after warm-up (25% of the soak) vs the end; wasm memory never shrinks, so only growth is looked at.
 * Reported, not fatal: RSS also moves with the allocator and GC timing.
 */
export function checkRssFlat(samples, tolerance = 0.1) {
  const warm = samples.find((sample) => sample.at === 0.25)?.rss_bytes;
  const end = samples.at(-1)?.rss_bytes;
  if (warm === undefined || end === undefined)
    return check('rss_flat', false, 'process_resident_memory_bytes not exported', false);
  const growth = (end - warm) / warm;
  const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return check(
    'rss_flat',
    growth <= tolerance,
    `RSS ${mib(warm)} at 25% → ${mib(end)} at 100% (${(growth * 100).toFixed(1)}%, limit ${tolerance * 100}%)`,
    false,
  );
}

/**
 * The upload flood stayed bounded: RSS grew by less than the server's upload budget (16 bodies of at most 10 MiB +
 * framing, plus 256 MiB of slack for sockets and buffers), /healthz answered throughout, and memory came back to within
 * 25% of where it started once the sockets closed.
 */
export function checkFloodBounded(flood, budgetBytes = 16 * (10 * 2 ** 20 + 64 * 1024) + 256 * 2 ** 20) {
  const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  if (flood.rss_before == null)
    return check('upload_flood_bounded', false, 'process_resident_memory_bytes not exported', false);
  const grew = flood.rss_peak - flood.rss_before;
  const back = flood.rss_after <= flood.rss_before * 1.25 + 64 * 2 ** 20;
  const ok = grew <= budgetBytes && flood.healthz_failed === 0 && back;
  const detail = `RSS ${mib(flood.rss_before)} → peak ${mib(flood.rss_peak)} → ${mib(flood.rss_after)} after; /healthz p99 ${flood.healthz_p99_ms} ms, ${flood.healthz_failed} failed; answers ${JSON.stringify(flood.statuses)}`;
  return check('upload_flood_bounded', ok, detail, true);
}

/** A few lines for people; the JSON lines carry everything. */
export function formatTable(runs, checks) {
  const cell = (value, width) => String(value ?? '-').padStart(width);
  const lines = [
    `${'run'.padEnd(10)}${cell('conns', 6)}${cell('caption/s', 10)}${cell('200 p50', 9)}${cell('200 p99', 9)}${cell('503 p50', 9)}${cell('503 p99', 9)}  statuses`,
  ];
  for (const run of runs) {
    const ok = run.latency_ms['200'] ?? {};
    const refused = run.latency_ms['503'] ?? {};
    const statuses = Object.entries(run.status)
      .map(([code, count]) => `${code}:${count}`)
      .join(' ');
    lines.push(
      `${run.run.padEnd(10)}${cell(run.connections, 6)}${cell(run.captions_per_s, 10)}${cell(ok.p50, 9)}${cell(ok.p99, 9)}${cell(refused.p50, 9)}${cell(refused.p99, 9)}  ${statuses}${run.errors ? ` errors:${run.errors}` : ''}`,
    );
  }
  lines.push('(latencies in ms)');
  for (const { check: name, ok, fatal, detail } of checks)
    lines.push(`${ok ? 'PASS' : fatal ? 'FAIL' : 'WARN'} ${name}: ${detail}`);
  return lines.join('\n');
}
