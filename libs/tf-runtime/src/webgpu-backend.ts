// WebGPU from Node: the `webgpu` package (Google's Dawn, prebuilt inside its npm tarball) gives Node a
// `navigator.gpu` on Vulkan (Linux: NVIDIA, AMD, Intel, or Mesa's llvmpipe CPU driver), Metal or D3D12, and
// `@tensorflow/tfjs-backend-webgpu` runs tfjs on it. No CUDA, nothing downloaded at install.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { registerWebgpuKernelFixes } from './webgpu-kernel-fixes.js';

/** What the adapter says of itself (GPUAdapterInfo). */
export interface GpuAdapter {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation (Mesa's llvmpipe, SwiftShader, a fallback adapter): correct, and slower than wasm. */
  software: boolean;
}

interface DawnModule {
  create(flags: string[]): { requestAdapter(options?: unknown): Promise<DawnAdapter | null> };
  globals: Record<string, unknown>;
}
interface DawnAdapter {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  isFallbackAdapter?: boolean;
}

/** How to get a GPU adapter, said once wherever WebGPU cannot start. */
export const WEBGPU_SETUP_HINT =
  'WebGPU needs the npm packages webgpu@0.6.2 and @tensorflow/tfjs-backend-webgpu@4.22.0, and on Linux a Vulkan ' +
  "loader (libvulkan1) with a driver: the GPU vendor's, or, on a machine without a GPU, Mesa's llvmpipe " +
  '(Debian 12: mesa-vulkan-drivers from bookworm-backports; docs/gpu.md)';

/** Dawn's instance flags: it picks the platform's API itself, except on Linux where Vulkan is asked for by name. */
const DAWN_FLAGS = process.platform === 'linux' ? ['backend=vulkan'] : [];

let adapterPromise: Promise<GpuAdapter> | undefined;

function describe(adapter: DawnAdapter): GpuAdapter {
  const info = adapter.info ?? {};
  const text = `${info.description ?? ''} ${info.device ?? ''} ${info.architecture ?? ''}`.toLowerCase();
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description || [info.vendor, info.device].filter(Boolean).join(' ') || 'unnamed adapter',
    software: adapter.isFallbackAdapter === true || /llvmpipe|lavapipe|swiftshader|software|softpipe/.test(text),
  };
}

/**
 * Gives Node a `navigator.gpu` from the `webgpu` package and asks it for an adapter (once per process). Throws,
 * naming what is missing, when the package does not load or no adapter is found.
 */
export function openWebgpuAdapter(importPackage: (name: string) => Promise<unknown>): Promise<GpuAdapter> {
  adapterPromise ??= (async () => {
    let dawn: DawnModule;
    try {
      dawn = (await importPackage('webgpu')) as DawnModule;
    } catch (error) {
      throw new Error(
        `backend 'webgpu': the package webgpu does not load (${(error as Error).message}). ${WEBGPU_SETUP_HINT}`,
      );
    }
    const existing = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
    if (!existing?.gpu) {
      Object.assign(globalThis, dawn.globals);
      const gpu = dawn.create(DAWN_FLAGS);
      // Node ≥ 21 has a read-only `navigator`: define it rather than assign it.
      Object.defineProperty(globalThis, 'navigator', {
        value: Object.assign(Object.create(existing ?? null) as object, { gpu }),
        configurable: true,
        writable: true,
      });
    }
    const gpu = (globalThis as unknown as { navigator: { gpu: ReturnType<DawnModule['create']> } }).navigator.gpu;
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new Error(`backend 'webgpu': no WebGPU adapter was found. ${WEBGPU_SETUP_HINT}`);
    return describe(adapter);
  })();
  adapterPromise.catch(() => (adapterPromise = undefined));
  return adapterPromise;
}

/** Activates tfjs's WebGPU backend on the adapter (registering imgcap's kernel fixes); returns the adapter. */
export async function activateWebgpu(importPackage: (name: string) => Promise<unknown>): Promise<GpuAdapter> {
  const adapter = await openWebgpuAdapter(importPackage);
  try {
    await importPackage('@tensorflow/tfjs-backend-webgpu');
  } catch (error) {
    throw new Error(
      `backend 'webgpu': @tensorflow/tfjs-backend-webgpu does not load (${(error as Error).message}). ${WEBGPU_SETUP_HINT}`,
    );
  }
  registerWebgpuKernelFixes();
  let ok = false;
  try {
    ok = await tf.setBackend('webgpu');
  } catch (error) {
    throw new Error(`backend 'webgpu' failed to start on ${adapter.description}: ${(error as Error).message}`);
  }
  if (!ok) throw new Error(`backend 'webgpu' failed to start on ${adapter.description}. ${WEBGPU_SETUP_HINT}`);
  return adapter;
}

/** The child's script: the adapter's description as one JSON line on stdout, or null (GPUAdapterInfo's fields are
 * getters, which JSON.stringify does not see: copied by name). */
const PROBE = `
const { create, globals } = await import(process.argv[1]);
Object.assign(globalThis, globals);
const gpu = create(JSON.parse(process.argv[2]));
const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
const i = adapter?.info ?? {};
const info = { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description };
process.stdout.write('\\n' + JSON.stringify(adapter ? { info, isFallbackAdapter: adapter.isFallbackAdapter } : null) + '\\n');
`;

/**
 * The adapter a WebGPU start would get, asked in a short child process so that `auto` on a machine without a GPU
 * pays ~0.5 s once and none of Dawn's start-up warnings reach this process's stderr; null when there is none or
 * the package is not installed.
 */
export function probeWebgpuAdapter(): Promise<GpuAdapter | null> {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('webgpu');
  } catch {
    return Promise.resolve(null);
  }
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', PROBE, pathToFileURL(entry).href, JSON.stringify(DAWN_FLAGS)],
      { timeout: 30_000, encoding: 'utf8' },
      (error, stdout) => {
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          const found = JSON.parse(line) as DawnAdapter | null;
          resolve(error || !found ? null : describe(found));
        } catch {
          resolve(null);
        }
      },
    );
  });
}
