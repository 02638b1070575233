#!/usr/bin/env node
// `node tools/rehearsal/float16-cost.mjs [--images 200]` (after `npm run build`)
// What `--feature_cache_dtype float16` costs: trains the same small model twice on the same synthetic images, once
// from a float32 cache and once from a float16 one, and compares (1) the cached features themselves, entry by entry,
// and (2) the two runs' logged losses. Two backbones: EfficientNet-B1 @240 on ONNX Runtime (seeded random weights, as
// no pretrained file is bundled: its features are tiny, mostly below float16's normal range) and patch16 @64 (pixels
// / 255, all in float16's normal range, as trained EfficientNet features are). Prints one JSON line.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..', '..');
const TRAIN = join(ROOT, 'apps/train/dist/main.js');
const HEADER_BYTES = 44;

const { values } = parseArgs({ options: { images: { type: 'string', default: '200' } } });
const dir = await mkdtemp(join(tmpdir(), 'imgcap-float16-'));

/** IEEE half → number (the cache's own decoder is the train app's; this one only reads its files). */
function half(bits) {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  return exponent === 0x1f ? (mantissa ? NaN : sign * Infinity) : sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

function train(backbone, dtype) {
  const args = [TRAIN, '--dataset', 'synthetic', '--data_dir', join(dir, 'data'), '--max_images', values.images];
  args.push(
    '--backbone',
    backbone,
    ...(backbone === 'patch16' ? ['--image_size', '64'] : ['--backbone_weights', 'none']),
  );
  args.push('--feature_cache', join(dir, backbone, 'cache'), '--feature_cache_dtype', dtype);
  args.push('--artifact_dir', join(dir, backbone, dtype));
  args.push('--arch', 'imgcap', '--embed_dim', '64', '--ff_dim', '64', '--batch_size', '32', '--epochs', '2');
  args.push('--workers', '1', '--val_sample', '8', '--seed', '7');
  const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`train (${dtype}) failed:\n${run.stderr.slice(-3000)}`);
}

async function losses(backbone, dtype) {
  const lines = (await readFile(join(dir, backbone, dtype, 'metrics.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  return lines.filter((l) => typeof l.loss === 'number').map((l) => ({ step: l.step, split: l.split, loss: l.loss }));
}

async function entries(folder) {
  const files = (await readdir(folder, { recursive: true })).filter((f) => f.endsWith('.f32'));
  return new Map(files.map((f) => [f, join(folder, f)]));
}

async function featureError(backbone) {
  const cacheRoot = join(dir, backbone, 'cache');
  const [full] = (await readdir(cacheRoot)).filter((d) => !d.endsWith('-f16'));
  const f32 = await entries(join(cacheRoot, full));
  const f16 = await entries(join(cacheRoot, `${full}-f16`));
  let [count, maxAbs, maxRel, sumRel, relCount, flushed, maxMagnitude] = [0, 0, 0, 0, 0, 0, 0];
  for (const [name, file] of f32) {
    const a = (await readFile(file)).subarray(HEADER_BYTES);
    const b = (await readFile(f16.get(name))).subarray(HEADER_BYTES);
    for (let i = 0; i < a.length / 4; i++) {
      const x = a.readFloatLE(i * 4);
      const y = half(b.readUInt16LE(i * 2));
      const error = Math.abs(x - y);
      count++;
      maxAbs = Math.max(maxAbs, error);
      maxMagnitude = Math.max(maxMagnitude, Math.abs(x));
      if (Math.abs(x) >= 2 ** -14) {
        maxRel = Math.max(maxRel, error / Math.abs(x));
        sumRel += error / Math.abs(x);
        relCount++;
      } else if (x !== 0) flushed++;
    }
  }
  return {
    values: count,
    entries: f32.size,
    max_abs_error: maxAbs,
    max_relative_error: maxRel,
    mean_relative_error: sumRel / relCount,
    largest_feature: maxMagnitude,
    below_float16_normal_range: flushed / count,
  };
}

/** Both runs of one backbone, and what differs between them. */
async function compare(backbone) {
  train(backbone, 'float32');
  train(backbone, 'float16');
  const [a, b] = [await losses(backbone, 'float32'), await losses(backbone, 'float16')];
  const differences = a.map((row, i) => Math.abs(row.loss - b[i].loss));
  const finalVal = [a, b].map((rows) => rows.filter((r) => r.split === 'val').at(-1)?.loss);
  return {
    features: await featureError(backbone),
    losses: {
      logged: a.length,
      max_abs_difference: Math.max(...differences),
      final_val_loss: { float32: finalVal[0], float16: finalVal[1] },
    },
  };
}

try {
  const result = {};
  for (const backbone of ['efficientnet-b1', 'patch16']) result[backbone] = await compare(backbone);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
