import { ENGINE_CHOICES, type EngineChoice } from '@imgcap/onnx-engine/engine-choice';
import type { BackendChoice } from '@imgcap/tf-runtime';
import { CaptionerService } from './captioner-service.js';

import type { CaptionService } from './caption-service-types.js';

export type { CaptionService, CaptionOptions, ServedCaption } from './caption-service-types.js';

// The engine names and the auto rule without ONNX Runtime: a tfjs-node server never loads it.
export { ENGINE_CHOICES, type EngineChoice };

export interface LoadServiceOptions {
  /** tfjs backend override (e.g. 'wasm', 'cpu'); default: the best one available. */
  backend?: string;
  /** 'auto' (default: resolveInferenceEngine), 'tfjs', or 'onnx': ONNX Runtime for backbone, encoder and decoder (see @imgcap/onnx-engine). */
  engine?: EngineChoice;
  /** Concurrent captions with the same options run as one batch of at most this many (1: no batching). Default 1. */
  maxBatch?: number;
}

/**
 * Loads the caption bundle in `modelDir` (a bundle, or a training run directory holding `bundle/`) with the engine
 * choice every app shares (@imgcap/onnx-engine/load), and warms the model with one caption so the first request does
 * not pay for kernel set-up.
 */
export async function loadCaptionService(modelDir: string, options: LoadServiceOptions = {}): Promise<CaptionService> {
  // @imgcap/onnx-engine/load imports ONNX Runtime only when it is the engine chosen: a tfjs server never loads it.
  const { loadCaptioner } = await import('@imgcap/onnx-engine/load');
  const loaded = await loadCaptioner(modelDir, {
    engine: options.engine ?? 'auto',
    backend: options.backend as BackendChoice | undefined,
  });
  const { captioner, bundleDir } = loaded;
  const { describeBackboneWeights } = await import('@imgcap/captioner/bundle');
  const service = new CaptionerService(
    captioner,
    options.maxBatch ?? 1,
    loaded.engine === 'onnx' ? 'onnx' : `tfjs (${loaded.backend})`,
    await describeBackboneWeights(bundleDir, captioner.manifest),
  );
  await service.warm();
  return service;
}
