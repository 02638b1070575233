// No tfjs import here: a CLI can list these in --help (subpath `@imgcap/tf-runtime/backend-choices`) without
// loading tfjs or initialising the wasm backend.

/**
 * What a user may ask for with --backend: a tfjs backend, or `auto` (selectBackend's order: tfjs-node-gpu,
 * tfjs-node, WebGPU on a real GPU adapter, wasm, cpu).
 */
export const BACKEND_CHOICES = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
