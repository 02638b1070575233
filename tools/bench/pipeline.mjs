// Throughput of the whole Captioner.captionImages pipeline (pixels → patch backbone → encoder →
// greedy decoding → words) from a bundle loaded off disk, alone and with concurrent callers.
// `batched_4` is the same 4 images in one call: what micro-batching concurrent requests would buy.
// The HTTP server's own figure is the `serve` group (serve.mjs).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCaptionBundle, saveCaptionBundle } from '@imgcap/captioner/bundle';
import { CaptionModel, PRESETS } from '@imgcap/captioner/model';
import { WordTokenizer } from '@imgcap/tokenizer';
import { suppressEndMarker } from './latency.mjs';
import { rateSummary, timeRepeats } from './measure.mjs';

const VOCAB = 10_000;
const IMAGE_SIZE = 64;
/** Captions per timed round, for both the sequential and the concurrent figure. */
const CAPTIONS_PER_ROUND = 4;

/** The model fields of a preset (its arch and shape), without its docs. */
const shapeOf = ({ arch, embedDim, ffDim, encHeads, decHeads }) => ({ arch, embedDim, ffDim, encHeads, decHeads });

/** The `tiny` preset on 8-px patches of 64-px images, with a full 10k vocabulary and the seed's length. */
const TINY_BUNDLE_CONFIG = {
  ...shapeOf(PRESETS.tiny),
  vocabSize: VOCAB,
  seqLength: 36,
  dropout: 0.1,
  backbone: `patch8@${IMAGE_SIZE}`,
  imageSize: IMAGE_SIZE,
  featureShape: [64, 192],
};

/** Synthetic words fill the vocabulary: the logits layer is as wide as a real one. */
function syntheticTokenizer() {
  const words = Array.from({ length: VOCAB }, (_, i) => `w${i}`);
  return WordTokenizer.fit([words.join(' ')], { vocabSize: VOCAB });
}

function randomImage(seed) {
  const data = Uint8Array.from({ length: IMAGE_SIZE * IMAGE_SIZE * 3 }, (_, i) => (i * 31 + seed * 97) % 256);
  return { data, width: IMAGE_SIZE, height: IMAGE_SIZE };
}

export async function buildTinyBundle(dir) {
  const model = new CaptionModel(TINY_BUNDLE_CONFIG);
  try {
    suppressEndMarker(model);
    await saveCaptionBundle(dir, { model, tokenizer: syntheticTokenizer(), metadata: { purpose: 'tools/bench' } });
  } finally {
    model.dispose();
  }
}

/** Captions/s with 1 caller (one image per call, one after another), 4 calls in flight at once, and 4 images in one call. */
export async function benchPipelineGroup({ repeats }) {
  const dir = await mkdtemp(join(tmpdir(), 'imgcap-bench-'));
  let captioner;
  try {
    await buildTinyBundle(join(dir, 'bundle'));
    captioner = await loadCaptionBundle(join(dir, 'bundle'));
    const images = Array.from({ length: CAPTIONS_PER_ROUND }, (_, i) => randomImage(i));
    let tokens = 0;
    const sequential = await timeRepeats(
      async () => {
        for (const image of images)
          [
            {
              ids: { length: tokens },
            },
          ] = await captioner.captionImages([image]);
      },
      { repeats },
    );
    const concurrent = await timeRepeats(() => Promise.all(images.map((image) => captioner.captionImages([image]))), {
      repeats,
    });
    const batched = await timeRepeats(() => captioner.captionImages(images), { repeats });
    return {
      bundle: {
        backbone: TINY_BUNDLE_CONFIG.backbone,
        ...shapeOf(PRESETS.tiny),
        vocab: VOCAB,
        seq_length: 36,
        params: captioner.parameterCount,
      },
      decoding: 'greedy, key/value cache',
      tokens_per_caption: tokens,
      captions_per_round: CAPTIONS_PER_ROUND,
      sequential_1: rateSummary(CAPTIONS_PER_ROUND, sequential),
      concurrent_4: rateSummary(CAPTIONS_PER_ROUND, concurrent),
      batched_4: rateSummary(CAPTIONS_PER_ROUND, batched),
    };
  } finally {
    captioner?.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}
