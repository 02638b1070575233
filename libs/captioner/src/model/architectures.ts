import { layers, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import {
  PositionEmbedding,
  SeedEncoderBlock,
  TokenAndPositionEmbedding,
  TransformerDecoderBlock,
  TransformerEncoderBlock,
} from '@imgcap/transformer-blocks';
import { SEED_DROPOUT, type Architecture, type CaptionModelConfig } from '../config.js';

/** Layer names are part of the saved format: weights load back by these names. */
export const LAYER_NAMES = {
  features: 'image_features',
  tokens: 'caption_tokens',
  /** imgcap only: the seed's projection lives inside its encoder block. */
  projection: 'image_projection',
  /** imgcap only. */
  imagePosition: 'image_position',
  encoder: 'encoder_block',
  embedding: 'token_embedding',
  decoder: 'decoder_block',
  logits: 'logits',
} as const;

/** Symbolic encoder and decoder outputs of one architecture, wired from the model's two inputs. */
export interface ArchitectureGraph {
  encoded: SymbolicTensor;
  decoded: SymbolicTensor;
}

type Build = (config: CaptionModelConfig, features: SymbolicTensor, tokens: SymbolicTensor) => ArchitectureGraph;

/**
 * imgcap: a Dense projection and a learned position per grid cell (the seed's encoder cannot tell where a
 * feature came from), then full encoder and decoder blocks whose heads split the width.
 */
const buildImgcap: Build = (config, features, tokens) => {
  const { featureShape, seqLength, embedDim, ffDim, encHeads, decHeads, dropout, vocabSize } = config;
  const projected = layers.dense({ units: embedDim, activation: 'relu', name: LAYER_NAMES.projection }).apply(features);
  const positioned = new PositionEmbedding({ sequenceLength: featureShape[0], name: LAYER_NAMES.imagePosition }).apply(
    projected,
  );
  const encoded = new TransformerEncoderBlock({
    intermediateDim: ffDim,
    numHeads: encHeads,
    dropout,
    name: LAYER_NAMES.encoder,
  }).apply(positioned) as SymbolicTensor;
  const embedded = new TokenAndPositionEmbedding({
    vocabSize,
    sequenceLength: seqLength - 1,
    embedDim,
    scaleBySqrtDim: true,
    name: LAYER_NAMES.embedding,
  }).apply(tokens) as SymbolicTensor;
  const decoder = new TransformerDecoderBlock({
    intermediateDim: ffDim,
    numHeads: decHeads,
    dropout,
    name: LAYER_NAMES.decoder,
  });
  return { encoded, decoded: decoder.apply([embedded, encoded]) as SymbolicTensor };
};

/**
 * The seed (the Keras project's `TransformerEncoderBlock`, `PositionalEmbedding`, `TransformerDecoderBlock`):
 * every attention head is embedDim wide (Keras `key_dim=embed_dim`), LayerNorm ε is Keras's 1e-3, and the
 * position table has `seq_length` rows although `seq_length − 1` tokens are fed, as in its code.
 */
const buildSeed: Build = (config, features, tokens) => {
  const { seqLength, embedDim, ffDim, encHeads, decHeads, vocabSize, seedDropout = SEED_DROPOUT } = config;
  const encoded = new SeedEncoderBlock({ embedDim, numHeads: encHeads, name: LAYER_NAMES.encoder }).apply(
    features,
  ) as SymbolicTensor;
  const embedded = new TokenAndPositionEmbedding({
    vocabSize,
    sequenceLength: seqLength,
    embedDim,
    scaleBySqrtDim: true,
    name: LAYER_NAMES.embedding,
  }).apply(tokens) as SymbolicTensor;
  const decoder = new TransformerDecoderBlock({
    intermediateDim: ffDim,
    numHeads: decHeads,
    keyDim: embedDim,
    dropout: 0,
    attentionDropout: seedDropout.attention,
    feedForwardDropout: seedDropout.feedForward,
    outputDropout: seedDropout.output,
    epsilon: 1e-3,
    kerasLayout: true,
    name: LAYER_NAMES.decoder,
  });
  return { encoded, decoded: decoder.apply([embedded, encoded]) as SymbolicTensor };
};

export const ARCHITECTURE_BUILDERS: Record<Architecture, Build> = { imgcap: buildImgcap, seed: buildSeed };

/** Layers counted as the encoder (everything else in the network is the decoder: embedding, block, logits). */
export const ENCODER_LAYERS: readonly string[] = [
  LAYER_NAMES.projection,
  LAYER_NAMES.imagePosition,
  LAYER_NAMES.encoder,
];
