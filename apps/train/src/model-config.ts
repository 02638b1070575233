import type { CaptionModelConfig } from '@imgcap/captioner/model';
import type { TrainConfig } from './config.js';

/** What the model needs to know of its backbone: the feature extractor's (or its summary's) facts. */
export interface BackboneFacts {
  id: string;
  imageSize: number;
  featureShape: [number, number];
}

/** The caption model a training config builds on a backbone, with the vocabulary fitted to its data. */
export function modelConfigOf(config: TrainConfig, vocabSize: number, backbone: BackboneFacts): CaptionModelConfig {
  return {
    arch: config.arch,
    vocabSize,
    seqLength: config.seq_length,
    embedDim: config.embed_dim,
    ffDim: config.ff_dim,
    encHeads: config.enc_heads,
    decHeads: config.dec_heads,
    dropout: config.dropout,
    backbone: backbone.id,
    imageSize: backbone.imageSize,
    featureShape: backbone.featureShape,
  };
}
