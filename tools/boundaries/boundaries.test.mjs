// The workspace's seams, enforced on every test run: declared dependencies equal imported ones, libraries never
// import apps or another package's build output, and the layering docs/architecture.md draws holds.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCycles, workspacePackages } from './imports.test-helper.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const packages = workspacePackages(ROOT);
const imgcap = (name) => `@imgcap/${name}`;

/** Packages a package uses without importing them (resolved by name at run time). */
const RUNTIME_ONLY = { '@imgcap/serve-app': ['onnxruntime-web'] };

/** Which workspace packages each may depend on (docs/architecture.md). */
const ALLOWED = {
  tokenizer: [],
  tracking: [],
  'caption-metrics': [],
  'image-io': [],
  'tf-runtime': [],
  'transformer-blocks': [],
  'vision-backbone': [],
  'flickr-dataset': ['tokenizer', 'image-io'],
  captioner: ['tokenizer', 'vision-backbone', 'transformer-blocks', 'tf-runtime'],
  'onnx-engine': ['captioner', 'tokenizer', 'vision-backbone', 'tf-runtime', 'transformer-blocks'],
  train: [
    'tokenizer',
    'flickr-dataset',
    'captioner',
    'tracking',
    'caption-metrics',
    'tf-runtime',
    'vision-backbone',
    'onnx-engine',
    'image-io',
  ],
  eval: ['flickr-dataset', 'captioner', 'onnx-engine', 'caption-metrics', 'tf-runtime', 'tokenizer', 'image-io'],
  // The server never touches datasets or training tracking.
  serve: ['captioner', 'image-io', 'onnx-engine', 'tf-runtime', 'tokenizer'],
  // Benchmarks and the load test drive libraries; apps they start as processes, never import.
  tools: ['captioner', 'flickr-dataset', 'onnx-engine', 'tf-runtime', 'tokenizer', 'vision-backbone'],
};

describe('workspace boundaries', () => {
  it.each(packages.map((p) => [p.manifest.name, p]))(
    '%s declares exactly the packages its code imports',
    (name, pkg) => {
      const declared = new Set(
        Object.keys({
          ...pkg.manifest.dependencies,
          ...pkg.manifest.peerDependencies,
          ...pkg.manifest.optionalDependencies,
        }),
      );
      const imported = [...pkg.code.keys()].filter((p) => p !== name);
      expect(
        imported.filter((p) => !declared.has(p)),
        'imported but not declared',
      ).toEqual([]);
      const used = new Set([...imported, ...pkg.tests, ...(RUNTIME_ONLY[name] ?? [])]);
      expect(
        [...declared].filter((d) => !used.has(d)),
        'declared but never imported',
      ).toEqual([]);
    },
  );

  it.each(packages.map((p) => [p.name, p]))(
    '%s imports only the workspace packages its layer allows, and no build output',
    (name, pkg) => {
      const workspace = [...pkg.code.keys()].filter((p) => p.startsWith('@imgcap/') && p !== pkg.manifest.name);
      const allowed = new Set((ALLOWED[name] ?? []).map(imgcap));
      expect(
        workspace.filter((p) => !allowed.has(p)),
        `${name} may use ${[...allowed].join(', ') || 'no other package'}`,
      ).toEqual([]);
      const intoDist = [...pkg.code.values()]
        .flat()
        .filter(({ specifier }) => /(^|\/)dist(\/|$)/.test(specifier) && !specifier.startsWith('onnxruntime-node/'));
      expect(intoDist.map(({ file, specifier }) => `${file}: ${specifier}`)).toEqual([]);
    },
  );

  it('libraries never import apps', () => {
    const apps = new Set(packages.filter((p) => p.group === 'apps').map((p) => p.manifest.name));
    const offenders = packages
      .filter((p) => p.group === 'libs')
      .flatMap((p) => [...p.code.keys(), ...p.tests].filter((i) => apps.has(i)).map((i) => `${p.name} → ${i}`));
    expect(offenders).toEqual([]);
  });
});

describe('entry points for CommonJS tooling', () => {
  const entries = packages
    .filter((p) => p.group === 'libs')
    .flatMap((p) =>
      Object.entries(p.manifest.exports ?? {})
        // Source-only entries (test fixtures) are not published.
        .filter(([, conditions]) => conditions.import ?? conditions.default)
        .map(([key]) => `${p.manifest.name}${key.slice(1)}`),
    );

  it('every published lib entry point resolves through require.resolve (the "default" condition) to its build', () => {
    // A plain node process: this test runner resolves the libs to their sources by a condition of its own.
    const script = `const r = require('node:module').createRequire(${JSON.stringify(join(ROOT, 'tools', 'package.json'))});
      console.log(JSON.stringify(${JSON.stringify(entries)}.map((e) => { try { return r.resolve(e); } catch (x) { return String(x.code); } })));`;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    const resolved = JSON.parse(run.stdout);
    expect(entries.length).toBeGreaterThan(15);
    expect(entries.filter((_, i) => !/[/]dist[/].*[.]js$/.test(resolved[i]))).toEqual([]);
  });

  it("has no import cycle among any package's own source files (type-only imports included)", () => {
    expect(importCycles(ROOT)).toEqual([]);
  });
});
