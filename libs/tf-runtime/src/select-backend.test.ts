import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { selectBackendWith, type BackendLoader } from './select-backend.js';

const missingNative = async (name: string): Promise<unknown> => {
  throw new Error(`Cannot find package '${name}'`);
};

function loaderWith(env: Record<string, string>, importPackage = missingNative): BackendLoader {
  // No GPU adapter unless a test says otherwise (the real probe asks Dawn in a child process).
  return { env, importPackage, probeGpu: async () => null };
}

describe('selectBackend', () => {
  afterEach(() => {
    if (tf.findBackendFactory('tensorflow') !== null) tf.removeBackend('tensorflow');
  });

  it('falls back to wasm when no native binding installs, registering the kernel fixes', async () => {
    const lines: string[] = [];
    const tried: string[] = [];
    const loader = loaderWith({}, async (name) => {
      tried.push(name);
      return missingNative(name);
    });
    const selected = await selectBackendWith({ log: (line) => lines.push(line) }, loader);
    expect(selected).toEqual({ backend: 'wasm', source: 'auto' });
    expect(tf.getBackend()).toBe('wasm');
    expect(tried).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
    expect(lines).toEqual(['tfjs backend: wasm (@tensorflow/tfjs-backend-wasm; chosen by auto)']);
  });

  it('takes tfjs-node when it registers a working tensorflow backend', async () => {
    const loader = loaderWith({}, async (name) => {
      if (name !== '@tensorflow/tfjs-node') return missingNative(name);
      // Importing tfjs-node registers a 'tensorflow' backend; a cpu backend stands in for it.
      tf.registerBackend('tensorflow', () => new MathBackendCPU());
      return {};
    });
    const lines: string[] = [];
    const selected = await selectBackendWith({ log: (line) => lines.push(line) }, loader);
    expect(selected).toEqual({ backend: 'tensorflow', source: 'auto' });
    expect(tf.getBackend()).toBe('tensorflow');
    expect(lines[0]).toContain('@tensorflow/tfjs-node;');
  });

  it('rejects a native package whose backend fails to initialise and moves on', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined); // tfjs reports the failure
    const loader = loaderWith({}, async () => {
      tf.registerBackend('tensorflow', () => {
        throw new Error('libtensorflow.so: cannot open shared object file');
      });
      return {};
    });
    const selected = await selectBackendWith({ log: () => undefined }, loader);
    expect(selected.backend).toBe('wasm');
    warn.mockRestore();
  });

  it('prefers the option over env IMGCAP_BACKEND, and env over auto', async () => {
    const env = { IMGCAP_BACKEND: 'cpu' };
    expect(await selectBackendWith({ log: () => undefined }, loaderWith(env))).toEqual({
      backend: 'cpu',
      source: 'env IMGCAP_BACKEND',
    });
    expect(tf.getBackend()).toBe('cpu');
    expect(await selectBackendWith({ backend: 'wasm', log: () => undefined }, loaderWith(env))).toEqual({
      backend: 'wasm',
      source: 'option',
    });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('names the bad value and the allowed ones for an unknown env value', async () => {
    await expect(selectBackendWith({}, loaderWith({ IMGCAP_BACKEND: 'webgl' }))).rejects.toThrow(
      "env IMGCAP_BACKEND 'webgl' is not one of auto, tensorflow, webgpu, wasm, cpu",
    );
  });

  it('fails on an explicit tensorflow backend that is not installed, naming the available ones', async () => {
    await expect(selectBackendWith({ backend: 'tensorflow' }, loaderWith({}))).rejects.toThrow(
      /backend 'tensorflow' is not available .*available: cpu, wasm/,
    );
  });

  it('is idempotent: a repeated call logs nothing and keeps the backend', async () => {
    const lines: string[] = [];
    const loader = loaderWith({});
    const first = await selectBackendWith({ backend: 'cpu', log: (line) => lines.push(line) }, loader);
    const second = await selectBackendWith({ backend: 'cpu', log: (line) => lines.push(line) }, loader);
    expect(second).toBe(first);
    expect(lines).toHaveLength(1);
  });

  describe('WebGPU', () => {
    const realImport = (name: string) => import(name);
    const adapter = (software: boolean) => async () => ({
      vendor: 'v',
      architecture: software ? 'software' : 'gpu',
      device: 'd',
      description: software ? 'llvmpipe' : 'A GPU',
      software,
    });

    it('auto passes over a software adapter (llvmpipe is slower than wasm) without starting WebGPU', async () => {
      const tried: string[] = [];
      const loader: BackendLoader = {
        env: {},
        importPackage: async (name) => (tried.push(name), missingNative(name)),
        probeGpu: adapter(true),
      };
      expect(await selectBackendWith({ log: () => {} }, loader)).toEqual({ backend: 'wasm', source: 'auto' });
      expect(tried).not.toContain('webgpu');
    });

    it('names the missing package when webgpu is asked for and does not load', async () => {
      const loader = loaderWith({ IMGCAP_BACKEND: 'webgpu' });
      await expect(selectBackendWith({ log: () => {} }, loader)).rejects.toThrow(
        /backend 'webgpu': the package webgpu does not load \(Cannot find package 'webgpu'\)\. WebGPU needs the npm packages webgpu@0\.6\.2/,
      );
    });

    it('auto takes WebGPU on a hardware adapter, after the native bindings, naming the adapter it runs on', async () => {
      const lines: string[] = [];
      const loader: BackendLoader = {
        env: {},
        importPackage: async (name) =>
          name.startsWith('@tensorflow/tfjs-node') ? missingNative(name) : realImport(name),
        probeGpu: adapter(false),
      };
      expect(await selectBackendWith({ log: (line) => lines.push(line) }, loader)).toEqual({
        backend: 'webgpu',
        source: 'auto',
      });
      expect(tf.getKernel('UnsortedSegmentSum', 'webgpu')).toBeDefined();
      // The probe stood in for a GPU; the adapter Dawn gives here is the one named.
      expect(lines[0]).toMatch(/^tfjs backend: webgpu \(@tensorflow\/tfjs-backend-webgpu on .+; chosen by auto\)$/);
      await tf.setBackend('wasm');
    }, 60_000);
  });
});
