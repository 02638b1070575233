import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerGradientFixes } from './gradient-fixes.js';
import { registerWasmKernelFixes } from './wasm-kernel-fixes.js';
import { activateWebgpu, probeWebgpuAdapter, type GpuAdapter } from './webgpu-backend.js';

import { BACKEND_CHOICES, type BackendChoice } from './backend-choices.js';

export { BACKEND_CHOICES, type BackendChoice };

export interface SelectBackendOptions {
  /** Overrides env `IMGCAP_BACKEND`; default 'auto' (tfjs-node-gpu, tfjs-node, WebGPU on a real GPU, wasm, cpu). */
  backend?: BackendChoice;
  /** Receives the one line that names the chosen backend; default console.info. */
  log?: (message: string) => void;
}

export interface SelectedBackend {
  /** The tfjs backend name now active: 'tensorflow', 'webgpu', 'wasm' or 'cpu'. */
  backend: string;
  /** Why it was chosen: 'option', 'env IMGCAP_BACKEND' or 'auto'. */
  source: string;
}

/** Native bindings in preference order; each registers the 'tensorflow' backend when imported. */
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

/** Internal seam: how native packages are imported and where env is read. */
export interface BackendLoader {
  importPackage: (name: string) => Promise<unknown>;
  env: Record<string, string | undefined>;
  /** The WebGPU adapter `auto` would get, or null; default: asked in a child process (probeWebgpuAdapter). */
  probeGpu?: () => Promise<GpuAdapter | null>;
}

const defaultLoader: BackendLoader = {
  // A non-literal specifier keeps bundlers and tsc from requiring the optional packages.
  importPackage: (name) => import(name),
  env: process.env,
};

/**
 * Chooses and activates the tfjs backend: an explicit option or env `IMGCAP_BACKEND` first, else
 * the first that works of tfjs-node-gpu, tfjs-node, wasm, cpu. Logs one line. Registers the
 * broadcast matMul gradient fix (and with it all stock gradients) on every backend, and on wasm the
 * kernel fixes training needs. Calling it again with the same request while that backend is
 * active returns the same answer without logging again.
 */
export function selectBackend(options: SelectBackendOptions = {}): Promise<SelectedBackend> {
  return selectBackendWith(options, defaultLoader);
}

/** selectBackend with the package importer and environment injected; internal, for tests. */
export async function selectBackendWith(
  options: SelectBackendOptions,
  loader: BackendLoader,
): Promise<SelectedBackend> {
  const { choice, source } = resolveChoice(options.backend, loader.env);
  const selections = selectionsBy.get(loader) ?? new Map<BackendChoice, SelectedBackend>();
  selectionsBy.set(loader, selections);
  const previous = selections.get(choice);
  if (previous !== undefined && tf.getBackend() === previous.backend) return previous;
  const activated = await activate(choice, loader);
  // After activation: a native package imported just now may have re-registered stock gradients.
  registerGradientFixes();
  if (activated.backend === 'wasm') registerWasmKernelFixes();
  const selected: SelectedBackend = { backend: activated.backend, source };
  selections.set(choice, selected);
  (options.log ?? console.info)(`tfjs backend: ${activated.backend} (${activated.detail}; chosen by ${source})`);
  return selected;
}

/** Past answers per loader: the process-wide loader makes repeated calls idempotent. */
const selectionsBy = new WeakMap<BackendLoader, Map<BackendChoice, SelectedBackend>>();

function resolveChoice(
  option: BackendChoice | undefined,
  env: Record<string, string | undefined>,
): { choice: BackendChoice; source: string } {
  if (option !== undefined) return { choice: checkChoice(option, 'option backend'), source: 'option' };
  const fromEnv = env['IMGCAP_BACKEND'];
  if (fromEnv !== undefined && fromEnv !== '') {
    return { choice: checkChoice(fromEnv, 'env IMGCAP_BACKEND'), source: 'env IMGCAP_BACKEND' };
  }
  return { choice: 'auto', source: 'auto' };
}

function checkChoice(value: string, origin: string): BackendChoice {
  if ((BACKEND_CHOICES as readonly string[]).includes(value)) return value as BackendChoice;
  throw new Error(`${origin} '${value}' is not one of ${BACKEND_CHOICES.join(', ')}`);
}

async function activate(choice: BackendChoice, loader: BackendLoader): Promise<{ backend: string; detail: string }> {
  if (choice === 'auto' || choice === 'tensorflow') {
    const native = await tryNative(loader);
    if (native !== undefined) return { backend: 'tensorflow', detail: native };
    if (choice === 'tensorflow') {
      throw new Error(
        `backend 'tensorflow' is not available (neither ${NATIVE_PACKAGES.join(' nor ')} loads); ` +
          `available: ${availableBackends()}`,
      );
    }
  }
  if (choice === 'webgpu') {
    const adapter = await activateWebgpu(loader.importPackage);
    return { backend: 'webgpu', detail: `@tensorflow/tfjs-backend-webgpu on ${adapterText(adapter)}` };
  }
  if (choice === 'auto') {
    const gpu = await realGpu(loader);
    if (gpu) return gpu;
  }
  for (const name of choice === 'auto' ? ['wasm', 'cpu'] : [choice]) {
    if (await trySetBackend(name)) return { backend: name, detail: `@tensorflow/tfjs-backend-${name}` };
  }
  throw new Error(`backend '${choice}' failed to initialise; available: ${availableBackends()}`);
}

const adapterText = (adapter: GpuAdapter) => `${adapter.description}${adapter.software ? ' (a CPU driver)' : ''}`;

/**
 * `auto`'s WebGPU step: only a hardware adapter counts (a CPU driver such as llvmpipe is slower than wasm), and only
 * where the packages are installed; `IMGCAP_AUTO_WEBGPU=0` skips the probe.
 */
async function realGpu(loader: BackendLoader): Promise<{ backend: string; detail: string } | undefined> {
  if (loader.env['IMGCAP_AUTO_WEBGPU'] === '0') return undefined;
  const adapter = await (loader.probeGpu ?? probeWebgpuAdapter)();
  if (!adapter || adapter.software) return undefined;
  try {
    await activateWebgpu(loader.importPackage);
  } catch {
    return undefined;
  }
  return { backend: 'webgpu', detail: `@tensorflow/tfjs-backend-webgpu on ${adapterText(adapter)}` };
}

async function tryNative(loader: BackendLoader): Promise<string | undefined> {
  for (const name of NATIVE_PACKAGES) {
    try {
      await loader.importPackage(name);
    } catch {
      continue; // Not installed (its install needs internet): try the next one.
    }
    if (await trySetBackend('tensorflow')) return name;
  }
  return undefined;
}

async function trySetBackend(name: string): Promise<boolean> {
  if (tf.findBackendFactory(name) === null) return false;
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/** Registered backend names, for error messages. */
function availableBackends(): string {
  return Object.keys(tf.engine().registryFactory).join(', ') || 'none';
}
