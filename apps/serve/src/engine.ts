import { ENGINE_CHOICES, resolveInferenceEngine, type EngineChoice } from '@imgcap/onnx-engine/engine-choice';
import type { BackendChoice } from '@imgcap/tf-runtime';
import { CaptionerEngine } from './captioner-engine.js';

import type { CaptionEngine } from './engine-types.js';

export type { CaptionEngine, CaptionOptions, CaptionResult } from './engine-types.js';

// The engine names and the auto rule without ONNX Runtime: a tfjs-node server never loads it.
export { ENGINE_CHOICES, type EngineChoice };

export interface LoadEngineOptions {
  /** tfjs backend override (e.g. 'wasm', 'cpu'); default: the best one available. */
  backend?: string;
  /** 'auto' (default: resolveInferenceEngine), 'tfjs', or 'onnx': ONNX Runtime for backbone, encoder and decoder (see @imgcap/onnx-engine). */
  engine?: EngineChoice;
  /** Concurrent captions with the same options run as one batch of at most this many (1: no batching). Default 1. */
  maxBatch?: number;
}

/**
 * Loads the caption bundle in `modelDir` (a bundle, or a training run directory holding `bundle/`),
 * picks the tfjs backend through @imgcap/tf-runtime, and warms the model with one caption so the
 * first request does not pay for kernel set-up.
 */
export async function loadEngine(modelDir: string, options: LoadEngineOptions = {}): Promise<CaptionEngine> {
  const { engine: engineChoice = 'auto' } = options;
  if (!ENGINE_CHOICES.includes(engineChoice)) {
    throw new Error(`Unknown engine '${String(engineChoice)}'; allowed: ${ENGINE_CHOICES.join(', ')}`);
  }
  const { bundleDir } = await (await import('@imgcap/captioner/bundle')).locateCaptionBundle(modelDir);
  const { selectBackend } = await import('@imgcap/tf-runtime');
  // The ONNX engine reads the bundle's weights with tfjs once, to export them.
  const selected = await selectBackend({ backend: options.backend as BackendChoice | undefined });
  const engineName = resolveInferenceEngine(engineChoice, selected.backend);
  // Not @imgcap/onnx-engine's loadCaptioner: importing that package loads ONNX Runtime, which a tfjs server never needs.
  const captioner =
    engineName === 'onnx'
      ? await (await import('@imgcap/onnx-engine')).loadOnnxCaptioner(bundleDir)
      : await (await import('@imgcap/captioner')).loadCaptionBundle(bundleDir);
  const { describeBackboneWeights } = await import('@imgcap/captioner/bundle');
  const engine = new CaptionerEngine(
    captioner,
    options.maxBatch ?? 1,
    engineName === 'onnx' ? 'onnx' : `tfjs (${selected.backend})`,
    await describeBackboneWeights(bundleDir, captioner.manifest),
  );
  await engine.warm();
  return engine;
}
