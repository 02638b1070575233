// The small Keras-project model the import tests share: its trial_config.json, the matching seed-architecture config
// (the sizes fixtures/keras-h5/generate.py writes its seed_model_weights.h5 with) and the seed's real tokenizer.
import { join } from 'node:path';
import type { CaptionModelConfig } from '../config.js';

export const SEED_FILES = join(import.meta.dirname, '..', '..', '..', '..', '..', 'shared', 'data', 'seed');

export const SEED_TRIAL = {
  IMAGE_SIZE: [64, 64],
  SEQ_LENGTH: 12,
  VOCAB_SIZE: 10_000,
  EMBED_DIM: 24,
  FF_DIM: 16,
  ENC_HEADS: 2,
  DEC_HEADS: 3,
  BATCH_SIZE: 128,
  EPOCHS: 20,
  LR: 0.001,
};

export const SEED_KERAS_CONFIG: CaptionModelConfig = {
  arch: 'seed',
  vocabSize: 10_000,
  seqLength: 12,
  embedDim: 24,
  ffDim: 16,
  encHeads: 2,
  decHeads: 3,
  dropout: 0,
  backbone: 'efficientnet-b0@64-random',
  imageSize: 64,
  featureShape: [4, 1280],
};
