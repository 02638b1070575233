import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadBundleParts, loadCaptionBundle, saveCaptionBundle, type RgbImage } from '@imgcap/captioner/bundle';
import { captionResult, searchTokensOf } from '@imgcap/captioner/generation';
import { CaptionModel, generateFromFeatures, type CaptionModelConfig } from '@imgcap/captioner/model';
import { WordTokenizer } from '@imgcap/tokenizer';
import { loadOnnxCaptioner } from '../engine/onnx-captioner.js';

/** The seed's default model: embed 512, ff 256, heads 2/4, 36 tokens, vocab 10k, EfficientNet-B0 grid 7×7×1280. */
export const SEED_BENCH_CONFIG: CaptionModelConfig = {
  vocabSize: 10_000,
  seqLength: 36,
  embedDim: 512,
  ffDim: 256,
  encHeads: 2,
  decHeads: 4,
  dropout: 0,
  backbone: 'efficientnet-b0@224-random',
  imageSize: 224,
  featureShape: [49, 1280],
};

export interface OnnxLatencyOptions {
  /** Model to time (random weights). Default SEED_BENCH_CONFIG. */
  config?: CaptionModelConfig;
  /** Beam widths to time. Default [1, 3]. */
  beamWidths?: number[];
  /** Timed runs per engine and beam width, after one warm-up run; the median is reported. Default 5. */
  repeats?: number;
  /** ONNX Runtime intra-op threads. Default: ONNX Runtime's choice. */
  threads?: number;
  /**
   * 'features' (default): caption from given backbone features, decoder only. 'image': caption one RGB image,
   * the backbone included (the config's backbone, e.g. SEED_IMAGE_BENCH_CONFIG's EfficientNet-B1).
   */
  input?: 'features' | 'image';
}

/** The seed's model behind its EfficientNet-B1 @240 backbone (random init), for whole-image latency. */
export const SEED_IMAGE_BENCH_CONFIG: CaptionModelConfig = {
  ...SEED_BENCH_CONFIG,
  backbone: 'efficientnet-b1@240-random',
  imageSize: 240,
  featureShape: [64, 1280],
};

/** The seed's own network (`arch: 'seed'`) at its default shape, behind EfficientNet-B1 at 224 px as the seed ran it. */
export const SEED_ARCH_IMAGE_BENCH_CONFIG: CaptionModelConfig = {
  ...SEED_BENCH_CONFIG,
  arch: 'seed',
  backbone: 'efficientnet-b1@224-random',
  imageSize: 224,
  featureShape: [49, 1280],
};

export interface OnnxLatencyResult {
  beamWidth: number;
  /** Ids generated for the caption (both engines generate the same ones). */
  generatedTokens: number;
  /** Median milliseconds to caption one image from its features on the current tfjs backend. */
  tfjsMs: number;
  onnxMs: number;
  speedup: number;
  /** Whether both engines wrote the same token ids. */
  sameCaption: boolean;
}

/** A tokenizer whose vocabulary fills `vocabSize`, so every id a random model emits is a word. */
function fullTokenizer(vocabSize: number): WordTokenizer {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const word = (i: number) => letters[Math.floor(i / 676) % 26]! + letters[Math.floor(i / 26) % 26]! + letters[i % 26]!;
  return WordTokenizer.fit([Array.from({ length: vocabSize }, (_, i) => word(i)).join(' ')], { vocabSize });
}

async function medianMs(repeats: number, run: () => Promise<unknown>): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

/**
 * Times captioning one image — from backbone features, or from pixels with the backbone — with the tfjs
 * engine (on the current tfjs backend) and with the ONNX engine, greedy and beam search, on a random model
 * saved to a temp bundle.
 */
export async function benchOnnxLatency(options: OnnxLatencyOptions = {}): Promise<OnnxLatencyResult[]> {
  const { config = SEED_BENCH_CONFIG, beamWidths = [1, 3], repeats = 5, threads, input = 'features' } = options;
  const dir = await mkdtemp(join(tmpdir(), 'imgcap-onnx-bench-'));
  const model = new CaptionModel(config);
  try {
    await saveCaptionBundle(join(dir, 'bundle'), { model, tokenizer: fullTokenizer(config.vocabSize) });
  } finally {
    model.dispose();
  }
  const tfjs = await tfjsCaptionCall(join(dir, 'bundle'), input);
  const onnx = await loadOnnxCaptioner(join(dir, 'bundle'), threads ? { threads } : {});
  const features = tf.randomUniform([1, ...config.featureShape], 0, 1, 'float32', 42) as tf.Tensor3D;
  const featureValues = (await features.data()) as Float32Array;
  const size = config.imageSize;
  const image = {
    width: size,
    height: size,
    data: Uint8Array.from({ length: size * size * 3 }, (_, i) => (i * 7919) % 256),
  };
  // Both engines' call for one image, as `input` asks.
  const caption = {
    tfjs: (beamWidth: number) => tfjs.caption(input === 'image' ? image : features, beamWidth),
    onnx: (beamWidth: number) =>
      input === 'image'
        ? onnx.captionImages([image], { beamWidth })
        : onnx.captionFeatures(featureValues, 1, { beamWidth }),
  };
  try {
    const results: OnnxLatencyResult[] = [];
    for (const beamWidth of beamWidths) {
      const [reference] = await caption.tfjs(beamWidth);
      const [candidate] = await caption.onnx(beamWidth);
      const tfjsMs = await medianMs(repeats, () => caption.tfjs(beamWidth));
      const onnxMs = await medianMs(repeats, () => caption.onnx(beamWidth));
      results.push({
        beamWidth,
        generatedTokens: reference!.ids.length + (reference!.finished ? 1 : 0),
        tfjsMs,
        onnxMs,
        speedup: tfjsMs / onnxMs,
        sameCaption: reference!.ids.join() === candidate!.ids.join(),
      });
    }
    return results;
  } finally {
    features.dispose();
    tfjs.dispose();
    onnx.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The tfjs engine's call for one image: its `ImageCaptioner` from pixels, or model-level generation from features
 * (the captioner's own features path, without the backbone).
 */
async function tfjsCaptionCall(bundleDir: string, input: 'image' | 'features') {
  if (input === 'image') {
    const captioner = await loadCaptionBundle(bundleDir);
    return {
      caption: (image: RgbImage | tf.Tensor3D, beamWidth: number) =>
        captioner.captionImages([image as RgbImage], { beamWidth }),
      dispose: () => captioner.dispose(),
    };
  }
  const { model, tokenizer, backbone } = await loadBundleParts(bundleDir);
  backbone.dispose();
  const tokens = searchTokensOf(tokenizer);
  const gridTokens = model.config.featureShape[0];
  return {
    caption: async (features: RgbImage | tf.Tensor3D, beamWidth: number) =>
      (await generateFromFeatures(model, features as tf.Tensor3D, tokens, { beamWidth })).map((h) =>
        captionResult(h, tokenizer, gridTokens),
      ),
    dispose: () => model.dispose(),
  };
}
