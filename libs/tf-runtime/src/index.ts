export { selectBackend, BACKEND_CHOICES } from './select-backend.js';
export type { BackendChoice, SelectBackendOptions, SelectedBackend } from './select-backend.js';
export { registerWasmKernelFixes } from './wasm-kernel-fixes.js';
export { registerGradientFixes } from './gradient-fixes.js';
export { fileSystemIO, registerFileSystemRouter } from './file-system-io.js';
export type { FileSystemIOHandler } from './file-system-io.js';
export { saveNamedTensors, loadNamedTensors } from './named-tensors.js';
export {
  activeNativeKernels,
  DEFAULT_NATIVE_THRESHOLDS,
  registerNativeKernels,
  unregisterNativeKernels,
  type GemmProblem,
  type NativeKernels,
  type NativeKernelThresholds,
} from './wasm-kernels/native-kernels.js';
