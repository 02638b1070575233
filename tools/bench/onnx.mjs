// Caption latency of one image on the ONNX Runtime engine against the tfjs engine on the current backend,
// for the seed's model (random weights, features given): the same ids must come out of both.
import { benchOnnxLatency } from '@imgcap/onnx-engine';
import { round } from './measure.mjs';

export async function benchOnnxGroup({ repeats }) {
  const results = await benchOnnxLatency({ repeats: Math.max(3, repeats) });
  const out = { model: 'seed config (embed 512, ff 256, heads 2/4, seq 36, vocab 10 000, 49×1280 features)' };
  for (const r of results) {
    out[`beam${r.beamWidth}`] = {
      tfjs_ms: round(r.tfjsMs), onnx_ms: round(r.onnxMs), speedup: round(r.speedup), tokens: r.generatedTokens, same_caption: r.sameCaption,
    };
  }
  return out;
}
