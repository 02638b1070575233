import { createFeatureExtractor, type BackboneSpec } from '@imgcap/vision-backbone';
import type { FeatureEngine } from './config.js';
import { tfjsFeatureSource, type FeatureSource } from './features.js';

/**
 * `auto`: ONNX Runtime for EfficientNet when tfjs has no native backend (wasm, cpu) — the exported backbone
 * runs ~14× faster there — and tfjs otherwise (tfjs-node's own kernels; patches are a reshape either way).
 */
export function resolveFeatureEngine(choice: FeatureEngine, spec: BackboneSpec, tfjsBackend: string): 'tfjs' | 'onnx' {
  if (choice !== 'auto') return choice;
  return spec.kind === 'efficientnet' && (tfjsBackend === 'wasm' || tfjsBackend === 'cpu') ? 'onnx' : 'tfjs';
}

/** The backbone as a FeatureSource on the chosen engine, and how to release it. */
export async function openFeatureSource(
  engine: 'tfjs' | 'onnx',
  spec: BackboneSpec,
): Promise<{ source: FeatureSource; close: () => Promise<void> }> {
  if (engine === 'onnx') {
    // Loaded only here: ONNX Runtime's native binding is not needed by a tfjs run.
    const { createOnnxFeatureExtractor } = await import('@imgcap/onnx-engine');
    const extractor = await createOnnxFeatureExtractor(spec);
    return { source: extractor, close: () => extractor.dispose() };
  }
  const extractor = await createFeatureExtractor(spec);
  return { source: tfjsFeatureSource(extractor), close: async () => extractor.dispose() };
}
