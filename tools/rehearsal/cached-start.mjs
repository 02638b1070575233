#!/usr/bin/env node
// `node tools/rehearsal/cached-start.mjs [--images 31783] [--dir local_runs/rehearsal]` (after `npm run build`)
// A Flickr30k-sized rehearsal of what a second training run costs before its first step: generates a synthetic
// dataset of that many images (once), runs `train` until its first step (extracting every image's features into the
// cache), interrupts it, then runs the same command again on the warm cache. Prints one JSON line: seconds to the
// first step for each run, the cache's size on disk, and peak RSS. Features: patch16 at 128 px (64 × 768 values,
// 192 KiB an image, ~6 GiB in all), so the cache exceeds the in-memory budget as EfficientNet's does.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateSyntheticDataset } from '@imgcap/flickr-dataset';

const ROOT = resolve(import.meta.dirname, '..', '..');
const TRAIN = join(ROOT, 'apps/train/dist/main.js');
const FIRST_STEP = /first step done ([\d.]+) s after start \(peak RSS ([\d.]+) GiB\)/;

const { values } = parseArgs({
  options: { images: { type: 'string', default: '31783' }, dir: { type: 'string', default: 'local_runs/rehearsal' } },
});
const images = Number(values.images);
const dir = resolve(ROOT, values.dir);

/** Runs train until its first step, then interrupts it (it checkpoints and exits); resolves with what it reported. */
function untilFirstStep(args) {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [TRAIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    let seconds;
    let rss;
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const match = FIRST_STEP.exec(log);
      if (match && seconds === undefined) {
        seconds = Number(match[1]);
        rss = Number(match[2]);
        child.kill('SIGINT');
      }
    });
    child.on('exit', () => {
      if (seconds === undefined) fail(new Error(`train never reached its first step:\n${log.slice(-3000)}`));
      else
        done({
          seconds,
          peak_rss_gib: rss,
          log: log.split('\n').filter((l) => /^(data|features|feature cache|kernels|model):/.test(l)),
        });
    });
  });
}

await mkdir(dir, { recursive: true });
const dataDir = join(dir, `synthetic-${images}`);
if (!existsSync(join(dataDir, 'dataset_synthetic.json'))) {
  const started = performance.now();
  await generateSyntheticDataset({ dir: dataDir, images, seed: 1 });
  process.stderr.write(`generated ${images} images in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}
const cache = join(dir, `cache-${images}`);
const args = [
  ...['--dataset', 'synthetic', '--data_dir', dataDir, '--feature_cache', cache, '--arch', 'imgcap'],
  ...['--backbone', 'patch16', '--image_size', '128', '--batch_size', '64', '--epochs', '1', '--overwrite'],
];
const cold = await untilFirstStep([...args, '--artifact_dir', join(dir, 'run-cold')]);
const warm = await untilFirstStep([...args, '--artifact_dir', join(dir, 'run-warm')]);
process.stdout.write(`${JSON.stringify({ images, cold, warm })}\n`);
