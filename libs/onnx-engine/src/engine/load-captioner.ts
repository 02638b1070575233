import { loadCaptionBundle, type ImageCaptioner } from '@imgcap/captioner';
import { INFERENCE_ENGINES, type InferenceEngine } from './engine-choice.js';
import { loadOnnxCaptioner } from './onnx-captioner.js';

/** Loads a caption bundle on the chosen engine; both caption with the same search code and give results of one shape. */
export async function loadCaptioner(bundleDir: string, engine: InferenceEngine = 'tfjs'): Promise<ImageCaptioner> {
  if (!INFERENCE_ENGINES.includes(engine)) {
    throw new Error(`Unknown engine '${String(engine)}'; allowed: ${INFERENCE_ENGINES.join(', ')}`);
  }
  return engine === 'onnx' ? loadOnnxCaptioner(bundleDir) : loadCaptionBundle(bundleDir);
}
