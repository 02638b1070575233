// Decoder training speed on cached features: what one epoch over Flickr30k costs once the frozen
// backbone's features are on disk. Features and tokens are random; a step's cost depends only on shapes.
import { availableParallelism } from 'node:os';
import { getBackend } from '@tensorflow/tfjs-core';
import { autoReplicaCount, CaptionModel, CaptionTrainer, DataParallelTrainer } from '@imgcap/captioner';
import { mulberry32 } from '@imgcap/flickr-dataset';
import { SpecialTokens } from '@imgcap/tokenizer';
import { rateSummary, summarize, timeRepeats } from './measure.mjs';

/** EfficientNet-B1's top grid at 224 px: 7×7 cells × 1280 channels. */
const B1_FEATURES = [49, 1280];
const VOCAB = 10_000;
/**
 * Training examples in one Flickr30k epoch with the default 90/5/5 split: 28,605 images × 5 captions. An
 * upper bound: captions longer than seq_length are filtered out.
 */
export const FLICKR30K_TRAIN_EXAMPLES = 28_605 * 5;

/**
 * The seed's default training shape in imgcap's architecture and in the seed's own (`arch: 'seed'`: every head
 * 512 wide, so its attention projections are 2–4× wider), and the smaller `s` shape at the length/batch most
 * runs here use.
 */
export const DECODER_CASES = [
  {
    key: 'seed_d512_ff256_h2x4_seq36_b64',
    arch: 'imgcap',
    embedDim: 512,
    ffDim: 256,
    encHeads: 2,
    decHeads: 4,
    seqLength: 36,
    batch: 64,
  },
  {
    key: 'seed_arch_d512_ff256_h2x4_seq36_b64',
    arch: 'seed',
    embedDim: 512,
    ffDim: 256,
    encHeads: 2,
    decHeads: 4,
    seqLength: 36,
    batch: 64,
  },
  {
    key: 'd256_ff512_h4_seq24_b32',
    arch: 'imgcap',
    embedDim: 256,
    ffDim: 512,
    encHeads: 4,
    decHeads: 4,
    seqLength: 24,
    batch: 32,
  },
];

/**
 * A teacher-forcing batch like the real ones: `start w1 … wk` → `w1 … wk end`, word ids drawn from
 * the non-special range, caption lengths varying so that the tail of most rows is padding (id 0).
 */
export function randomTrainingBatch({ batchSize, seqLength, vocabSize, featureShape }, seed = 1) {
  // Seeded, so every run trains on the same batch.
  const { next: random } = mulberry32(seed);
  const length = seqLength - 1;
  const firstWord = SpecialTokens.end + 1;
  const inputTokens = new Int32Array(batchSize * length);
  const targetTokens = new Int32Array(batchSize * length);
  for (let row = 0; row < batchSize; row++) {
    const words = 5 + Math.floor(random() * (length - 5)); // 5 … length − 1 words
    const offset = row * length;
    inputTokens[offset] = SpecialTokens.start;
    for (let i = 0; i < words; i++) {
      const word = firstWord + Math.floor(random() * (vocabSize - firstWord));
      inputTokens[offset + i + 1] = word;
      targetTokens[offset + i] = word;
    }
    targetTokens[offset + words] = SpecialTokens.end;
  }
  const features = new Float32Array(batchSize * featureShape[0] * featureShape[1]);
  for (let i = 0; i < features.length; i++) features[i] = random() * 2;
  return { batchSize, features, inputTokens, targetTokens };
}

function caseConfig(shape) {
  const { arch, embedDim, ffDim, encHeads, decHeads, seqLength } = shape;
  return {
    arch,
    vocabSize: VOCAB,
    seqLength,
    embedDim,
    ffDim,
    encHeads,
    decHeads,
    dropout: 0.1,
    backbone: 'efficientnet-b1@224',
    imageSize: 224,
    featureShape: B1_FEATURES,
  };
}

/** Replica counts timed: 1 (this thread only), and what `--workers 0` picks on wasm when that is more. */
export function replicaCounts(cores = availableParallelism()) {
  const parallel = autoReplicaCount('wasm', cores);
  return parallel > 1 ? [1, parallel] : [1];
}

async function timeTrainer(shape, replicas, { repeats, warmup }) {
  const config = caseConfig(shape);
  const model = new CaptionModel(config);
  const trainer =
    replicas > 1
      ? await DataParallelTrainer.create(model, 1e-3, { replicas, backend: getBackend() })
      : new CaptionTrainer(model, 1e-3);
  try {
    const batch = randomTrainingBatch({ ...config, batchSize: shape.batch });
    // step() reads loss and accuracy back, so the backend has finished when it returns.
    const samples = await timeRepeats(() => trainer.step(batch), { repeats, warmup });
    return { params: model.countParams(), samples };
  } finally {
    trainer.dispose();
    model.dispose();
  }
}

async function benchCase(shape, options) {
  const result = { batch: shape.batch };
  for (const replicas of replicaCounts()) {
    const { params, samples } = await timeTrainer(shape, replicas, options);
    result.params = params;
    const suffix = replicas === 1 ? '' : `_${replicas}_replicas`;
    result[`examples_per_s${suffix}`] = rateSummary(shape.batch, samples);
    const perStep = summarize(samples.map((ms) => ms / 1000));
    result[`seconds_per_step${suffix}`] = perStep;
    result[`flickr30k_epoch_minutes${suffix}`] = epochMinutes(shape.batch, perStep.median);
  }
  return result;
}

/** Minutes of one Flickr30k epoch on cached features at `secondsPerStep` (3 significant digits). */
export function epochMinutes(batch, secondsPerStep) {
  return Number(((Math.ceil(FLICKR30K_TRAIN_EXAMPLES / batch) * secondsPerStep) / 60).toPrecision(3));
}

/**
 * Examples/s and seconds per Adam step (medians over the same timed steps), for each decoder shape, on this
 * thread alone and data-parallel over one replica per core (`DataParallelTrainer`, worker threads).
 */
export async function benchDecoderGroup({ repeats, quick }) {
  const result = { vocab: VOCAB, features: B1_FEATURES, warmup_steps: quick ? 1 : 2 };
  for (const shape of DECODER_CASES)
    result[shape.key] = await benchCase(shape, { repeats, warmup: result.warmup_steps });
  return result;
}
