// ONNX Runtime against tfjs on the current backend: caption latency of one image for the seed's model
// (random weights; the same ids must come out of both) from given features and from a 240×240 image through
// EfficientNet-B1, and the EfficientNet backbones' throughput as the ONNX export runs them (compare with the
// backbone group's tfjs figures).
import * as ort from 'onnxruntime-node';
import { buildLayersModelGraph } from '@imgcap/onnx-engine';
import {
  benchOnnxLatency,
  SEED_ARCH_IMAGE_BENCH_CONFIG,
  SEED_BENCH_CONFIG,
  SEED_IMAGE_BENCH_CONFIG,
} from '@imgcap/onnx-engine/bench';
import { createFeatureExtractor } from '@imgcap/vision-backbone';
import { round, summarize } from './measure.mjs';

const BACKBONE_BATCH = 8;
const BACKBONES = [
  { key: 'b0@224', variant: 'b0', imageSize: 224 },
  { key: 'b1@240', variant: 'b1', imageSize: 240 },
];

/** Images/s of the exported backbone at batch 8: one warm-up run, then `repeats` timed runs. */
async function backboneImagesPerSecond({ variant, imageSize }, repeats) {
  const extractor = await createFeatureExtractor({ kind: 'efficientnet', variant, imageSize });
  const session = await ort.InferenceSession.create(Buffer.from(buildLayersModelGraph(extractor.network, imageSize)));
  extractor.dispose();
  try {
    const pixels = Float32Array.from(
      { length: BACKBONE_BATCH * imageSize * imageSize * 3 },
      (_, i) => (i * 7919) % 256,
    );
    const feeds = { images: new ort.Tensor('float32', pixels, [BACKBONE_BATCH, imageSize, imageSize, 3]) };
    await session.run(feeds);
    const samples = [];
    for (let i = 0; i < repeats; i++) {
      const start = performance.now();
      await session.run(feeds);
      samples.push((BACKBONE_BATCH * 1000) / (performance.now() - start));
    }
    return summarize(samples);
  } finally {
    await session.release();
  }
}

/** One `benchOnnxLatency` run, its results under `${prefix}beam<N>`. */
async function latencyFigures(out, prefix, options) {
  for (const r of await benchOnnxLatency(options)) {
    out[`${prefix}beam${r.beamWidth}`] = {
      tfjs_ms: round(r.tfjsMs),
      onnx_ms: round(r.onnxMs),
      speedup: round(r.speedup),
      tokens: r.generatedTokens,
      same_caption: r.sameCaption,
    };
  }
}

export async function benchOnnxGroup({ repeats }) {
  const runs = Math.max(3, repeats);
  const out = {
    model:
      'the seed shape (embed 512, ff 256, heads 2/4, seq 36, vocab 10 000, 49×1280 features); --arch imgcap unless seed_arch_*',
  };
  await latencyFigures(out, '', { repeats: runs });
  await latencyFigures(out, 'seed_arch_', { config: { ...SEED_BENCH_CONFIG, arch: 'seed' }, repeats: runs });
  // The whole caption of one image, EfficientNet-B1 included: what a server request costs.
  await latencyFigures(out, 'image_b1_240_', { config: SEED_IMAGE_BENCH_CONFIG, repeats: runs, input: 'image' });
  await latencyFigures(out, 'seed_arch_image_b1_224_', {
    config: SEED_ARCH_IMAGE_BENCH_CONFIG,
    repeats: runs,
    input: 'image',
  });
  out.backbone_images_per_s = { batch: BACKBONE_BATCH };
  for (const backbone of BACKBONES)
    out.backbone_images_per_s[backbone.key] = await backboneImagesPerSecond(backbone, Math.max(3, repeats));
  return out;
}
