import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file the page may fetch: where it is on disk and its media type. */
export interface StaticFile {
  path: string;
  type: string;
}

const MEDIA_TYPES: Record<string, string> = {
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
};

function mediaType(name: string): string {
  return MEDIA_TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';
}

/** A package's directory, found as Node finds packages: node_modules/<name> here or in a parent directory. */
function packageRoot(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`package ${name} not found in any node_modules above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The built file a package's published entry point (`exports[subpath]`, `import` condition) is. */
function entryPoint(name: string, subpath: string): string {
  const root = packageRoot(name);
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    exports?: Record<string, { import?: string }>;
  };
  const target = manifest.exports?.[subpath]?.import;
  if (!target) throw new Error(`${name} has no "${subpath}" entry point in its exports map`);
  return join(root, target);
}

const RELATIVE_IMPORT = /(?:\bfrom|\bimport)\s*['"](\.\/[^'"]+)['"]/g;

/** An entry module and every module it reaches by relative import, all in its directory (the browser loads them as they are). */
function moduleGraph(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    if (!existsSync(file))
      throw new Error(`${file}, imported by the browser's modules, is not built (run the build first)`);
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)) visit(join(dirname(file), match[1]!));
  };
  visit(entry);
  return [...seen];
}

/**
 * Every script the in-browser captioner loads, by URL path under /browser/: ONNX Runtime Web (its wasm build
 * only), and the decoding code itself through the packages' published browser entry points
 * (`@imgcap/captioner/generation`, `@imgcap/onnx-engine/browser`, `@imgcap/image-io/browser`) and the modules they
 * import, as built — so the browser resizes images and decodes captions exactly as the server does. Nothing else on disk can be reached through these routes.
 */
export function browserStaticFiles(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const add = (urlPath: string, path: string) => files.set(urlPath, { path, type: mediaType(path) });
  // ONNX Runtime Web's own files, as its package lays them out (its exports map names bundles, not these three).
  const ortDist = join(packageRoot('onnxruntime-web'), 'dist');
  for (const name of ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'])
    add(`ort/${name}`, join(ortDist, name));
  for (const [prefix, name, subpath] of [
    ['lib/captioner/generation', '@imgcap/captioner', './generation'],
    ['lib/onnx-engine', '@imgcap/onnx-engine', './browser'],
    ['lib/image-io', '@imgcap/image-io', './browser'],
  ] as const) {
    const entry = entryPoint(name, subpath);
    for (const file of moduleGraph(entry)) add(`${prefix}/${relative(dirname(entry), file)}`, file);
  }
  // The page's own module; tsc does not copy it, so it is read from src in both src and dist runs.
  add('browser-captioner.mjs', fileURLToPath(new URL('../../src/page/browser-captioner.mjs', import.meta.url)));
  return files;
}
