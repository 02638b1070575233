#!/usr/bin/env node
// `npm run bench [-- --backend wasm --quick --only matmul,latency --json out.json]`
// Prints one JSON object of figures (not pass/fail) on stdout and keeps a copy under local_runs/bench/.
// Progress goes to stderr so that stdout stays machine-readable (so does the Nx build the npm script runs first;
// `npm run -s bench | jq`: -s drops npm's own banner, which npm prints on stdout).
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { selectBackend } from '@imgcap/tf-runtime';
import { benchBackboneGroup } from './backbone.mjs';
import { benchDecoderGroup } from './decoder.mjs';
import { benchLatencyGroup } from './latency.mjs';
import { benchMatmulGroup } from './matmul.mjs';
import { round, withTensorAudit } from './measure.mjs';
import { benchOnnxGroup } from './onnx.mjs';
import { benchPeerGroup, trainRatios } from './peer.mjs';
import { benchPipelineGroup } from './pipeline.mjs';
import { benchServeGroup } from './serve.mjs';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Each group: the report key it fills, how to run it, and its timed repeats (default / --quick).
 * Cheap groups repeat more; the seed-size training step (~11 s here) and beam-3 without the cache
 * (~14 s) set the default run's length.
 */
export const GROUPS = {
  matmul: { key: 'matmul_gflops', run: benchMatmulGroup, repeats: [5, 3] },
  backbone: { key: 'backbone_images_per_s', run: benchBackboneGroup, repeats: [3, 2] },
  decoder: { key: 'decoder_train_examples_per_s', run: benchDecoderGroup, repeats: [5, 2] },
  peer: { key: 'pytorch_peer', run: benchPeerGroup, repeats: [1, 1] },
  latency: { key: 'caption_latency_ms', run: benchLatencyGroup, repeats: [3, 2] },
  pipeline: { key: 'pipeline_captions_per_s', run: benchPipelineGroup, repeats: [3, 2] },
  onnx: { key: 'onnx_caption_latency_ms', run: benchOnnxGroup, repeats: [5, 3] },
  serve: { key: 'serve_captions_per_s', run: benchServeGroup, repeats: [2, 1] },
};

const USAGE = `usage: npm run bench -- [--backend auto|tensorflow|webgpu|wasm|cpu] [--quick] [--only ${Object.keys(GROUPS).join(',')}] [--json FILE]`;

/** Parses the command line; unknown flags and unknown group names are errors that list the allowed ones. */
export function parseBenchArgs(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      backend: { type: 'string' },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const allowed = Object.keys(GROUPS);
  const only =
    values.only === undefined
      ? allowed
      : values.only
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean);
  const unknown = only.filter((name) => !allowed.includes(name));
  if (unknown.length > 0 || only.length === 0) {
    throw new Error(`--only got "${values.only}"; allowed groups: ${allowed.join(', ')} (comma-separated).`);
  }
  return {
    backend: values.backend,
    quick: values.quick,
    groups: allowed.filter((name) => only.includes(name)),
    json: values.json,
    help: values.help,
  };
}

function machineFacts() {
  const cpu = cpus();
  return { node: process.version, cpu_model: cpu[0]?.model ?? 'unknown', cores: cpu.length };
}

const log = (message) => process.stderr.write(`[bench] ${message}\n`);

/**
 * The groups in run order. With both the decoder and the PyTorch peer chosen, the peer runs before and after the
 * decoder group and the ratios use its faster run: a shared machine's speed drifts by tens of percent within minutes,
 * and the doubt goes to PyTorch.
 */
export function benchOrder(groups) {
  if (!(groups.includes('decoder') && groups.includes('peer'))) return groups;
  const rest = groups.filter((name) => name !== 'peer');
  const at = rest.indexOf('decoder');
  return [...rest.slice(0, at), 'peer', 'decoder', 'peer', ...rest.slice(at + 1)];
}

/** The peer's two runs merged: per case, the run with more training examples/s (both rates kept). */
export function bestPeerRun(first, second) {
  if (!first.available || !second.available) return first.available ? first : second;
  const merged = { ...second };
  for (const [name, figures] of Object.entries(second)) {
    const other = first[name];
    if (typeof figures !== 'object' || !other?.train_examples_per_s) continue;
    const best = other.train_examples_per_s > figures.train_examples_per_s ? other : figures;
    merged[name] = { ...best, train_examples_per_s_runs: [other.train_examples_per_s, figures.train_examples_per_s] };
  }
  return merged;
}

/** Runs the chosen groups in order and returns the report object. */
export async function runBench({ backend, quick, groups }) {
  const started = performance.now();
  const chosen = await selectBackend({ backend, log });
  const report = {
    started_at: new Date().toISOString(),
    backend: chosen.backend,
    backend_source: chosen.source,
    ...machineFacts(),
    load_average_at_start: loadavg().map(round),
    quick,
    groups,
  };
  report.group_seconds = {};
  for (const name of benchOrder(groups)) {
    const { key, run, repeats } = GROUPS[name];
    log(`${name}…`);
    const groupStart = performance.now();
    const figures = await withTensorAudit(() => run({ repeats: repeats[quick ? 1 : 0], quick }));
    report[key] = name === 'peer' && report[key] ? bestPeerRun(report[key], figures) : figures;
    report.group_seconds[name] = round((report.group_seconds[name] ?? 0) + (performance.now() - groupStart) / 1000);
  }
  const ratios = trainRatios(report.decoder_train_examples_per_s, report.pytorch_peer);
  if (ratios) report.train_examples_per_s_vs_pytorch = ratios;
  report.peak_rss_bytes = process.resourceUsage().maxRSS * 1024;
  report.load_average_at_end = loadavg().map(round);
  report.total_seconds = round((performance.now() - started) / 1000);
  return report;
}

async function writeReport(report, extraFile) {
  const stamp = report.started_at.replace(/[:.]/g, '-');
  const files = [join(REPO_ROOT, 'local_runs', 'bench', `${stamp}.json`)];
  if (extraFile) files.push(resolve(extraFile));
  const text = `${JSON.stringify(report, null, 2)}\n`;
  for (const file of files) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
    log(`wrote ${file}`);
  }
  process.stdout.write(text);
}

async function main() {
  let options;
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  await writeReport(await runBench(options), options.json);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error) => {
    process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
    process.exit(1);
  });
}
