#!/usr/bin/env node
// Every lib's `prepack` script (run by `npm pack` and `npm publish` in libs/<name>): builds the lib and the libs it
// depends on through Nx (cached), then removes build outputs whose source file is gone (tsc never deletes them), so
// the tarball holds exactly what the shipped sources compile to.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '..', '..');
const OUTPUT = /\.(d\.ts\.map|d\.ts|js\.map|js)$/;

function filesBelow(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesBelow(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** Build outputs in `<libDir>/dist` whose `src/*.ts` no longer exists, relative to libDir. */
export function staleOutputs(libDir) {
  const dist = join(libDir, 'dist');
  if (!existsSync(dist)) return [];
  return filesBelow(dist)
    .map((file) => relative(libDir, file))
    .filter((file) => OUTPUT.test(file))
    .filter((file) => !existsSync(join(libDir, file.replace(/^dist/, 'src').replace(OUTPUT, '.ts'))));
}

/** Deletes the stale outputs of `libDir`; returns them. */
export function pruneStaleOutputs(libDir) {
  const stale = staleOutputs(libDir);
  for (const file of stale) rmSync(join(libDir, file));
  return stale;
}

/** Runs the workspace's Nx with `args` from the workspace root; output goes to stderr (npm pack --json owns stdout). */
export function runNx(args) {
  const require = createRequire(join(ROOT, 'package.json'));
  const manifest = require.resolve('nx/package.json');
  const bin = join(dirname(manifest), JSON.parse(readFileSync(manifest, 'utf8')).bin.nx);
  const run = spawnSync(process.execPath, [bin, ...args, '--outputStyle=static'], {
    cwd: ROOT,
    stdio: ['ignore', 2, 2],
  });
  if (run.status !== 0) throw new Error(`nx ${args.join(' ')} failed (exit ${run.status ?? run.signal})`);
}

function main() {
  const libDir = process.cwd();
  const project = JSON.parse(readFileSync(join(libDir, 'project.json'), 'utf8')).name;
  runNx(['run', `${project}:build`]);
  for (const file of pruneStaleOutputs(libDir)) console.error(`prepack: removed ${file} (its source is gone)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main();
  } catch (error) {
    console.error(`prepack: ${error.message}`);
    process.exit(1);
  }
}
