import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file the page may fetch: where it is on disk and its media type. */
export interface StaticFile {
  path: string;
  type: string;
}

const MEDIA_TYPES: Record<string, string> = { '.mjs': 'text/javascript; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm' };

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
    if (parent === dir) throw new Error(`package ${name} not found in any node_modules above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/**
 * Every script the in-browser captioner loads, by URL path under /browser/: ONNX Runtime Web (its wasm
 * build only), and the decoding code itself, as built — the captioner's searches and the ONNX engine's
 * decoder session, plain ES modules with relative imports — so the browser decodes exactly as the
 * server's ONNX engine does. Nothing else on disk can be reached through these routes.
 */
export function browserStaticFiles(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const add = (urlPath: string, path: string) => files.set(urlPath, { path, type: mediaType(path) });
  const ortDist = join(packageRoot('onnxruntime-web'), 'dist');
  for (const name of ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm']) add(`ort/${name}`, join(ortDist, name));
  const captioner = join(packageRoot('@imgcap/captioner'), 'dist', 'generation');
  for (const name of ['greedy-search.js', 'beam-search.js', 'read-step.js', 'repeat-ban.js', 'banned-ids.js', 'search-options.js']) {
    add(`lib/captioner/generation/${name}`, join(captioner, name));
  }
  const onnxEngine = join(packageRoot('@imgcap/onnx-engine'), 'dist', 'engine');
  for (const name of ['onnx-decoder-session.js', 'step-runner.js']) add(`lib/onnx-engine/engine/${name}`, join(onnxEngine, name));
  // The page's own module; tsc does not copy it, so it is read from src in both src and dist runs.
  add('browser-captioner.mjs', fileURLToPath(new URL('../../src/page/browser-captioner.mjs', import.meta.url)));
  return files;
}
