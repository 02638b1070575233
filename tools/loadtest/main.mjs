#!/usr/bin/env node
// Load test of the caption server: starts `apps/serve/dist/main.js` on a free port with a model bundle, then measures
// throughput and latency at 1 and N connections, checks overload at 4× capacity answers only 200 or a fast 503, and
// soaks it to show tfjs tensors and RSS stay flat. JSON lines on stdout, a table on stderr; exit 1 on a failed check.
//   npm run loadtest -- --model local_runs/demo/run/bundle [--duration 10] [--connections 4] [--soak 2000] [--quick]
import autocannon from 'autocannon';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { encodeCaptionForm, loadUploadImage } from './multipart.mjs';
import * as report from './report.mjs';
import { partialUploadsRun } from './partial-uploads.mjs';
import { startServerProcess } from './server-process.mjs';
import { ENGINE_CHOICES } from '@imgcap/onnx-engine/engine-choice';

const REPO_ROOT = join(import.meta.dirname, '../..');
const DEFAULTS = {
  model: 'local_runs/demo/run/bundle',
  server: join(REPO_ROOT, 'apps/serve/dist/main.js'),
  duration: 10,
  connections: 4,
  soak: 2000,
  partialUploads: 1000,
  maxInflight: 1,
  readyTimeout: 300,
};
const QUICK = { duration: 2, soak: 200, partialUploads: 200 };
const OVERLOAD_FACTOR = 4;
const SOAK_SAMPLES = [0.25, 0.5, 0.75, 1];
const USAGE = `Usage: npm run loadtest -- [options]
  --model DIR          caption bundle directory (default ${DEFAULTS.model})
  --image FILE         JPEG to upload (default: the image-io photo fixture scaled to 500×375)
  --duration S         seconds per throughput and overload run (default ${DEFAULTS.duration}; --quick ${QUICK.duration})
  --connections N      connections of the concurrent run and the soak (default ${DEFAULTS.connections})
  --soak N             requests in the soak (default ${DEFAULTS.soak}; --quick ${QUICK.soak})
  --partial-uploads N  connections of the upload flood, each withholding most of a 9.5 MiB body (default ${DEFAULTS.partialUploads}; --quick ${QUICK.partialUploads}; 0 skips it)
  --max-inflight N     server --max-inflight (default ${DEFAULTS.maxInflight}); server --max-queue is N connections
  --engine NAME        server --engine: auto, tfjs or onnx (default: the server's, auto)
  --quick              short runs, for a smoke check
  --server FILE        server entry point (default apps/serve/dist/main.js; another script for testing this tool)
  --ready-timeout S    longest wait for /readyz 200 (default ${DEFAULTS.readyTimeout})`;

class UsageError extends Error {}
/** Something to build or train first; the message says what. */
class SetupError extends Error {}

function positiveInteger(flag, value, min = 1) {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min)
    throw new UsageError(`--${flag} must be an integer ≥ ${min}; got ${JSON.stringify(value)}`);
  return parsed;
}

function engineFlag(value) {
  if (value !== undefined && !ENGINE_CHOICES.includes(value))
    throw new UsageError(`--engine must be one of ${ENGINE_CHOICES.join(', ')}; got ${JSON.stringify(value)}`);
  return value;
}

export function parseFlags(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      image: { type: 'string' },
      server: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      soak: { type: 'string' },
      'partial-uploads': { type: 'string' },
      'max-inflight': { type: 'string' },
      'ready-timeout': { type: 'string' },
      engine: { type: 'string' },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const base = values.quick ? { ...DEFAULTS, ...QUICK } : DEFAULTS;
  const connections = values.connections ? positiveInteger('connections', values.connections) : base.connections;
  return {
    help: values.help,
    model: resolve(values.model ?? base.model),
    image: values.image && resolve(values.image),
    server: resolve(values.server ?? base.server),
    duration: values.duration ? positiveInteger('duration', values.duration) : base.duration,
    connections,
    soak: values.soak ? positiveInteger('soak', values.soak, SOAK_SAMPLES.length) : base.soak,
    partialUploads:
      values['partial-uploads'] !== undefined
        ? positiveInteger('partial-uploads', values['partial-uploads'], 0)
        : base.partialUploads,
    maxInflight: values['max-inflight'] ? positiveInteger('max-inflight', values['max-inflight']) : base.maxInflight,
    engine: engineFlag(values.engine),
    // Room for every connection of the concurrent run, so its refusals are a finding, not a set-up artefact.
    maxQueue: connections,
    readyTimeoutMs:
      1000 * (values['ready-timeout'] ? positiveInteger('ready-timeout', values['ready-timeout']) : base.readyTimeout),
  };
}

async function requireSetup(options) {
  const server = await stat(options.server).catch(() => undefined);
  if (!server?.isFile())
    throw new SetupError(`Server entry point not found: ${options.server} (build it: npx nx run serve:build)`);
  const bundle = await stat(options.model).catch(() => undefined);
  if (!bundle?.isDirectory()) {
    throw new SetupError(
      `No caption bundle at ${options.model}. Train one first — \`npm run demo\` writes local_runs/demo/run/bundle — ` +
        'or pass --model local_runs/<run>/bundle.',
    );
  }
}

const progress = (message) => process.stderr.write(`[loadtest] ${message}\n`);
const emit = (record) => process.stdout.write(`${JSON.stringify(record)}\n`);

/** One autocannon run of POST /caption; response times are also kept per status (autocannon mixes them). */
async function loadCaption(url, upload, { connections, duration, amount }) {
  const run = autocannon({
    url: `${url}/caption`,
    method: 'POST',
    body: upload.body,
    headers: upload.headers,
    connections,
    ...(amount ? { amount } : { duration }),
    timeout: 120,
  });
  const timesByStatus = new Map();
  run.on('response', (_client, statusCode, _bytes, responseTime) => {
    const code = String(statusCode);
    if (!timesByStatus.has(code)) timesByStatus.set(code, []);
    timesByStatus.get(code).push(responseTime);
  });
  const result = await run;
  return { result, timesByStatus };
}

async function readMetrics(url) {
  const response = await fetch(`${url}/metrics`);
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}`);
  return response.text();
}

/**
 * Waits until no caption runs or waits. A run's last requests are cut off client-side when it ends, but the server
 * finishes their jobs; the next run or a tensor sample must not see them.
 */
async function settle(url, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = await readMetrics(url);
    const busy = ['imgcap_caption_inflight', 'imgcap_caption_queue_depth'].some(
      (name) => report.readMetric(text, name) !== 0,
    );
    if (!busy) return;
    await delay(50);
  }
  throw new Error(`The server still had captions in flight or queued after ${timeoutMs} ms`);
}

async function sampleMetrics(url, at) {
  await settle(url);
  const text = await readMetrics(url);
  return {
    at,
    tensors_alive: report.readMetric(text, 'imgcap_tfjs_tensors_alive'),
    rss_bytes: report.readMetric(text, 'process_resident_memory_bytes'),
  };
}

async function throughputRuns(url, upload, options) {
  const runs = [];
  for (const connections of [1, options.connections]) {
    progress(`${connections} connection(s) for ${options.duration} s`);
    await settle(url);
    const { result, timesByStatus } = await loadCaption(url, upload, { connections, duration: options.duration });
    runs.push(report.summariseRun(`c${connections}`, result, timesByStatus));
    emit(runs.at(-1));
  }
  return runs;
}

async function overloadRun(url, upload, options) {
  const capacity = options.maxInflight + options.maxQueue;
  const connections = OVERLOAD_FACTOR * capacity;
  progress(`overload: ${connections} connections (${OVERLOAD_FACTOR}× capacity ${capacity}) for ${options.duration} s`);
  await settle(url);
  const { result, timesByStatus } = await loadCaption(url, upload, { connections, duration: options.duration });
  const run = { ...report.summariseRun('overload', result, timesByStatus), capacity };
  emit(run);
  return run;
}

/** The soak in quarters; /metrics is read between them, when no request holds tensors. */
async function soakRun(url, upload, options) {
  progress(`soak: ${options.soak} requests over ${options.connections} connections`);
  const samples = [await sampleMetrics(url, 0)];
  const parts = [];
  let sent = 0;
  for (const at of SOAK_SAMPLES) {
    const amount = Math.round(options.soak * at) - sent;
    sent += amount;
    parts.push(await loadCaption(url, upload, { connections: options.connections, amount }));
    samples.push(await sampleMetrics(url, at));
    progress(
      `soak ${at * 100}%: tensors ${samples.at(-1).tensors_alive ?? 'n/a'}, RSS ${samples.at(-1).rss_bytes ?? 'n/a'} B`,
    );
  }
  const timesByStatus = new Map();
  for (const { timesByStatus: partTimes } of parts) {
    for (const [code, times] of partTimes) timesByStatus.set(code, [...(timesByStatus.get(code) ?? []), ...times]);
  }
  const combined = {
    connections: options.connections,
    duration: parts.reduce((sum, { result }) => sum + result.duration, 0),
    statusCodeStats: Object.fromEntries([...timesByStatus].map(([code, times]) => [code, { count: times.length }])),
    errors: parts.reduce((sum, { result }) => sum + result.errors, 0),
    timeouts: parts.reduce((sum, { result }) => sum + result.timeouts, 0),
  };
  const run = { ...report.summariseRun('soak', combined, timesByStatus), requests: sent, samples };
  emit(run);
  return run;
}

/** Below capacity every request should be captioned: a 503 or 5xx there is a failure, not back-pressure. */
function checkBelowCapacity(runs) {
  const bad = runs.flatMap((run) => {
    const failed = Object.entries(run.status).filter(([code]) => code !== '200');
    const problems = failed.map(([code, count]) => `${run.run}: ${count}× HTTP ${code}`);
    if (run.errors) problems.push(`${run.run}: ${run.errors} connection errors`);
    return problems;
  });
  return {
    check: 'below_capacity_all_200',
    ok: bad.length === 0,
    fatal: true,
    detail: bad.join(', ') || 'every request captioned',
  };
}

async function main(argv) {
  const options = parseFlags(argv);
  if (options.help) return void console.log(USAGE);
  await requireSetup(options);
  const upload = await encodeCaptionForm(await loadUploadImage(options.image));
  progress(
    `starting ${options.server} with ${options.model} (max-inflight ${options.maxInflight}, max-queue ${options.maxQueue})`,
  );
  const extraArgs = options.engine ? ['--engine', options.engine] : [];
  const server = await startServerProcess({
    ...options,
    script: options.server,
    modelDir: options.model,
    extraArgs,
  }).catch((err) => {
    throw new SetupError(err.message);
  });
  progress(`ready at ${server.url}; warming up`);
  let runs;
  let flood = null;
  try {
    await loadCaption(server.url, upload, { connections: 1, amount: 3 });
    runs = [...(await throughputRuns(server.url, upload, options)), await overloadRun(server.url, upload, options)];
    runs.push(await soakRun(server.url, upload, options));
    if (options.partialUploads > 0) {
      flood = await partialUploadsRun(server.url, { connections: options.partialUploads, progress });
      emit(flood);
    }
  } finally {
    const stopped = await server.stop();
    emit({ event: 'server_stopped', ...stopped });
    if (stopped.code !== 0) progress(`server did not exit cleanly on SIGTERM; last output:\n${server.output()}`);
  }
  const [overload, soak] = [runs.find((run) => run.run === 'overload'), runs.at(-1)];
  const checks = [
    checkBelowCapacity(runs.filter((run) => run !== overload)),
    report.checkOverloadStatuses(overload),
    report.checkFastRefusals(overload),
    report.checkTensorsConstant(soak.samples),
    report.checkRssFlat(soak.samples),
    ...(flood ? [report.checkFloodBounded(flood)] : []),
  ];
  checks.forEach(emit);
  process.stderr.write(`\n${report.formatTable(runs, checks)}\n`);
  return checks.some((check) => check.fatal && !check.ok) ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err) => {
    const usage = err instanceof UsageError || err?.code?.startsWith('ERR_PARSE_ARGS');
    console.error(usage ? `${err.message}\n\n${USAGE}` : err instanceof SetupError ? err.message : err);
    process.exitCode = 2;
  },
);
