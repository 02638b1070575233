// "Browser-safe" checked on what the build emits, not on what a file's own imports say: for every entry point a
// package declares browser-safe (`imgcap.browserSafe` in its package.json), the whole import graph of its built
// JavaScript — through relative imports and other workspace packages' built entry points — must reach no Node
// built-in and no Node-only package. Entry points also declared `imgcap.tfjsFree` must not reach tfjs either (the web
// page loads them as built, with no tfjs on the page).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { packageOf } from './imports.test-helper.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const BUILTIN = new Set(builtinModules);
/** Packages that need Node (native addons, the file system); the same list eslint.config.mjs keeps out of the page. */
const NODE_ONLY = new Set(['sharp', 'onnxruntime-node', 'h5wasm', 'write-file-atomic', 'webgpu']);

function manifestOf(dir) {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

/** The workspace's libraries by package name (apps are never imported). */
const workspace = new Map(
  readdirSync(join(ROOT, 'libs')).map((name) => {
    const dir = join(ROOT, 'libs', name);
    const manifest = manifestOf(dir);
    return [manifest.name, { dir, manifest }];
  }),
);

/** The built file an entry point (`.`, `./generation`) of a workspace package resolves to for `import`. */
function builtEntry(pkg, subpath) {
  const target = pkg.manifest.exports?.[subpath];
  if (!target) throw new Error(`${pkg.manifest.name} has no entry point ${subpath}`);
  return join(pkg.dir, typeof target === 'string' ? target : (target.import ?? target.default));
}

/** Every module the built entry reaches, with the chain of files that reached it. */
function importClosure(entry) {
  const seen = new Map([[entry, [entry]]]);
  const external = [];
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift();
    const text = readFileSync(file, 'utf8');
    for (const { fileName: specifier } of ts.preProcessFile(text, true, true).importedFiles) {
      let next;
      if (specifier.startsWith('.')) next = join(dirname(file), specifier);
      else if (workspace.has(packageOf(specifier))) {
        const name = packageOf(specifier);
        next = builtEntry(workspace.get(name), specifier === name ? '.' : `.${specifier.slice(name.length)}`);
      } else {
        external.push({ specifier, via: [...seen.get(file)].map((f) => relative(ROOT, f)) });
        continue;
      }
      if (!seen.has(next)) {
        seen.set(next, [...seen.get(file), next]);
        queue.push(next);
      }
    }
  }
  return { files: [...seen.keys()], external };
}

const claims = [...workspace.values()].flatMap((pkg) => {
  const { browserSafe = [], tfjsFree = [] } = pkg.manifest.imgcap ?? {};
  return browserSafe.map((subpath) => ({ pkg, subpath, tfjsFree: tfjsFree.includes(subpath) }));
});

describe('browser-safe entry points, checked on the build', () => {
  it('are declared where the docs say the page loads code (captioner/generation, onnx-engine/browser, image-io/browser)', () => {
    const declared = claims.map(({ pkg, subpath }) => `${pkg.manifest.name}${subpath.slice(1)}`);
    expect(declared).toEqual(
      expect.arrayContaining([
        '@imgcap/captioner/generation',
        '@imgcap/onnx-engine/browser',
        '@imgcap/image-io/browser',
      ]),
    );
  });

  it.each(claims.map((c) => [`${c.pkg.manifest.name}${c.subpath.slice(1)}`, c]))(
    '%s reaches no Node built-in or Node-only package (nor tfjs where it says so)',
    (_, { pkg, subpath, tfjsFree }) => {
      const entry = builtEntry(pkg, subpath);
      expect(existsSync(entry), `${entry} (run the build first)`).toBe(true);
      const { files, external } = importClosure(entry);
      expect(files.length).toBeGreaterThan(0);
      const offending = external.filter(({ specifier }) => {
        const name = packageOf(specifier);
        if (specifier.startsWith('node:') || BUILTIN.has(name) || NODE_ONLY.has(name)) return true;
        return tfjsFree && name.startsWith('@tensorflow/');
      });
      expect(offending).toEqual([]);
    },
  );

  it('would catch a Node built-in reached through another file (the check follows the whole graph)', () => {
    // The training entry point imports the gradient worker, which imports node:worker_threads two files down.
    const { external } = importClosure(builtEntry(workspace.get('@imgcap/captioner'), './training'));
    expect(external.some(({ specifier }) => specifier === 'node:worker_threads')).toBe(true);
  });
});
