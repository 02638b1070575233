// The one engine choice every app makes (eval, caption-files, serve): the tfjs backend, then `--engine`, then the
// bundle loaded on that engine. Importing this module (subpath `@imgcap/onnx-engine/load`) loads no ONNX Runtime:
// the ONNX captioner is imported only when it is the engine chosen, so a tfjs server never loads the native binding.
import { loadCaptionBundle, locateCaptionBundle, type ImageCaptioner } from '@imgcap/captioner/bundle';
import { selectBackend, type BackendChoice } from '@imgcap/tf-runtime';
import { ENGINE_CHOICES, resolveInferenceEngine, type EngineChoice, type InferenceEngine } from './engine-choice.js';

export interface LoadCaptionerOptions {
  /** 'auto' (default: resolveInferenceEngine on the backend chosen), 'tfjs', or 'onnx'. */
  engine?: EngineChoice;
  /** The tfjs backend (default: $IMGCAP_BACKEND, else selectBackend's order). */
  backend?: BackendChoice;
  /** The backend's one line; default console.info. */
  log?: (line: string) => void;
}

/** A captioner ready to run, and what was chosen for it; the caller disposes `captioner`. */
export interface LoadedCaptioner {
  captioner: ImageCaptioner;
  /** The engine that runs (`auto` resolved). */
  engine: InferenceEngine;
  /** The tfjs backend now active. */
  backend: string;
  /** The bundle directory (a run directory's `bundle/` when given a run). */
  bundleDir: string;
}

/**
 * Loads the caption bundle in `modelDir` (a bundle, or a training run holding `bundle/`) on the engine chosen:
 * selects the tfjs backend, resolves `engine: 'auto'` against it, and loads the bundle with tfjs or ONNX Runtime —
 * the same search code and results of one shape either way.
 */
export async function loadCaptioner(modelDir: string, options: LoadCaptionerOptions = {}): Promise<LoadedCaptioner> {
  const { engine: choice = 'auto' } = options;
  if (!ENGINE_CHOICES.includes(choice)) {
    throw new Error(`Unknown engine '${String(choice)}'; allowed: ${ENGINE_CHOICES.join(', ')}`);
  }
  const { bundleDir } = await locateCaptionBundle(modelDir);
  const selected = await selectBackend({ backend: options.backend, ...(options.log ? { log: options.log } : {}) });
  const engine = resolveInferenceEngine(choice, selected.backend);
  const captioner =
    engine === 'onnx'
      ? await (await import('./onnx-captioner.js')).loadOnnxCaptioner(bundleDir)
      : await loadCaptionBundle(bundleDir);
  return { captioner, engine, backend: selected.backend, bundleDir };
}
