// Decoder training speed on cached features: what one epoch over Flickr30k costs once the frozen
// backbone's features are on disk. Features and tokens are random; a step's cost depends only on shapes.
import { availableParallelism } from 'node:os';
import { getBackend } from '@tensorflow/tfjs-core';
import { CaptionModel } from '@imgcap/captioner/model';
import { autoReplicaCount, CaptionTrainer, DataParallelTrainer } from '@imgcap/captioner/training';
import { enableOrtKernels } from '@imgcap/onnx-engine/ort-kernels';
import { unregisterNativeKernels } from '@imgcap/tf-runtime';
import { mulberry32 } from '@imgcap/flickr-dataset';
import { SpecialTokens } from '@imgcap/tokenizer';
import { rateSummary, summarize, timeRepeats } from './measure.mjs';

/**
 * The PyTorch peer's grid (../shared/peer/torch_captioner.py: B1 at 240 px, 8×8 cells × 1280 channels), so the two are
 * timed on the same work; the seed's own 224 px grid (7×7) is 23% smaller.
 */
const B1_FEATURES = [64, 1280];
const VOCAB = 10_000;
/**
 * Training examples in one Flickr30k epoch with the default 90/5/5 split: 28,605 images × 5 captions. An
 * upper bound: captions longer than seq_length are filtered out.
 */
export const FLICKR30K_TRAIN_EXAMPLES = 28_605 * 5;

/**
 * The peer's two shapes (heads 2 encoder / 4 decoder, as it fixes them) in imgcap's architecture, and the seed's
 * default shape in the seed's own (`arch: 'seed'`: every head 512 wide, so its attention projections are 2–4× wider).
 * `peer` names the PyTorch peer's figure each compares with (see peer.mjs).
 */
export const DECODER_CASES = [
  {
    key: 'seed_d512_ff256_h2x4_seq36_b64',
    peer: 'seed',
    arch: 'imgcap',
    embedDim: 512,
    ffDim: 256,
    seqLength: 36,
    batch: 64,
  },
  { key: 'seed_arch_d512_ff256_h2x4_seq36_b64', arch: 'seed', embedDim: 512, ffDim: 256, seqLength: 36, batch: 64 },
  {
    key: 'd256_ff512_h2x4_seq24_b32',
    peer: 'd256',
    arch: 'imgcap',
    embedDim: 256,
    ffDim: 512,
    seqLength: 24,
    batch: 32,
  },
].map((shape) => ({ ...shape, encHeads: 2, decHeads: 4 }));

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

/** The CaptionModel config of a decoder case. */
export function caseConfig(shape) {
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
    backbone: 'efficientnet-b1@240',
    imageSize: 240,
    featureShape: B1_FEATURES,
  };
}

/**
 * The configurations timed, as `train` runs them: replicas as `--workers 0` picks, and on wasm the training kernels
 * `--train_kernels auto` picks (ONNX Runtime's) against tfjs's own (`wasm`). Other backends have one configuration.
 */
export function trainConfigurations(backend, cores = availableParallelism()) {
  const replicas = autoReplicaCount(backend, cores);
  return backend === 'wasm'
    ? [
        { name: 'onnx_kernels', kernels: 'onnx', replicas },
        { name: 'wasm_kernels', kernels: 'wasm', replicas },
      ]
    : [{ name: `${backend}_kernels`, kernels: backend, replicas }];
}

/** Registers the configuration's kernels on this thread; returns the workers' setup (as train does). */
export async function useKernels(kernels) {
  unregisterNativeKernels();
  if (kernels !== 'onnx') return undefined;
  const { description, workerSetup } = enableOrtKernels({ threads: 1 });
  return { description, setup: workerSetup };
}

async function timeTrainer(shape, configuration, { repeats, warmup }) {
  const config = caseConfig(shape);
  const kernels = await useKernels(configuration.kernels);
  const model = new CaptionModel(config, { seed: 1 });
  const { replicas } = configuration;
  const trainer =
    replicas > 1
      ? await DataParallelTrainer.create(model, 1e-3, { replicas, backend: getBackend(), workerSetup: kernels?.setup })
      : new CaptionTrainer(model, 1e-3);
  try {
    const batch = randomTrainingBatch({ ...config, batchSize: shape.batch });
    // stepAsync() reads loss and accuracy back, so the backend has finished when it returns (on WebGPU too).
    const samples = await timeRepeats(() => trainer.stepAsync(batch), { repeats, warmup });
    return { params: model.countParams(), samples, kernels: kernels?.description ?? getBackend() };
  } finally {
    trainer.dispose();
    model.dispose();
    unregisterNativeKernels();
  }
}

async function benchCase(shape, options) {
  const result = { batch: shape.batch, arch: shape.arch, peer_case: shape.peer ?? null };
  for (const configuration of trainConfigurations(getBackend())) {
    const { params, samples, kernels } = await timeTrainer(shape, configuration, options);
    const perStep = summarize(samples.map((ms) => ms / 1000));
    result.params = params;
    result[configuration.name] = {
      kernels,
      replicas: configuration.replicas,
      examples_per_s: rateSummary(shape.batch, samples),
      seconds_per_step: perStep,
      flickr30k_epoch_minutes: epochMinutes(shape.batch, perStep.median),
    };
  }
  return result;
}

/** Minutes of one Flickr30k epoch on cached features at `secondsPerStep` (3 significant digits). */
export function epochMinutes(batch, secondsPerStep) {
  return Number(((Math.ceil(FLICKR30K_TRAIN_EXAMPLES / batch) * secondsPerStep) / 60).toPrecision(3));
}

/**
 * Examples/s and seconds per Adam step (medians over the same timed steps) for each case, in each configuration
 * `train` can run on this backend (trainConfigurations).
 */
export async function benchDecoderGroup({ repeats, quick }) {
  const result = { vocab: VOCAB, features: B1_FEATURES, warmup_steps: quick ? 1 : 2 };
  for (const shape of DECODER_CASES)
    result[shape.key] = await benchCase(shape, { repeats, warmup: result.warmup_steps });
  return result;
}
