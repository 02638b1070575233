/**
 * One typed config builds the whole captioner (the seed's `seq_length`, `embed_dim`, `ff_dim`,
 * `enc_heads`, `dec_heads`, vocabulary size, backbone and image size). It is stored in every
 * caption bundle and checkpoint, so a saved model always rebuilds with the shape it was trained with.
 */
export interface CaptionModelConfig {
  /**
   * Which network (see ARCHITECTURES). Bundles written before architectures existed have none: `imgcap`.
   * `validateConfig` fills it in, so every model's and every new bundle's config names it.
   */
  arch?: Architecture;
  /** Tokenizer vocabulary size, special tokens included. */
  vocabSize: number;
  /** Caption length in tokens, start and end markers included (decoder positions = seqLength − 1). */
  seqLength: number;
  embedDim: number;
  ffDim: number;
  encHeads: number;
  decHeads: number;
  /** imgcap only: dropout on attention weights and residual branches (the seed uses `seedDropout`). */
  dropout: number;
  /**
   * seed only: the decoder's three dropout rates. Default SEED_DROPOUT, the Keras project's fixed 0.1/0.3/0.5;
   * zeros make training deterministic (tests compare runs step for step that way).
   */
  seedDropout?: SeedDropout;
  /** Backbone id, e.g. `efficientnet-b1@224` or `patch8@64` (see @imgcap/vision-backbone). */
  backbone: string;
  /** Backbone input size in pixels. */
  imageSize: number;
  /** Image grid the encoder sees: [tokens, channels] of the backbone's features. */
  featureShape: [number, number];
}

/**
 * - `seed`: the Keras project's network, layer for layer (SeedEncoderBlock: LayerNorm → Dense(relu) →
 *   self-attention → LayerNorm, no feed-forward, no image positions; a post-norm decoder whose heads are each
 *   embedDim wide; LayerNorm ε 1e-3; dropouts 0.1/0.3/0.5), with Keras's weight shapes.
 * - `imgcap`: imgcap's own network: a Dense projection plus a learned position per grid cell, full Transformer
 *   encoder and decoder blocks (attention + feed-forward) whose heads split the width, ε 1e-5, one dropout rate.
 */
export const ARCHITECTURES = ['seed', 'imgcap'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

/** Dropout rates of the seed's decoder: on attention weights, inside the feed-forward network, on its output. */
export interface SeedDropout {
  attention: number;
  feedForward: number;
  output: number;
}

/** The seed's own rates: its decoder's `MultiHeadAttention(dropout=0.1)`, `Dropout(0.3)` and `Dropout(0.5)`. */
export const SEED_DROPOUT: Readonly<SeedDropout> = { attention: 0.1, feedForward: 0.3, output: 0.5 };

/** The architecture of a config; configs saved before `arch` existed are `imgcap`. */
export function architectureOf(config: Pick<CaptionModelConfig, 'arch'>): Architecture {
  return config.arch ?? 'imgcap';
}

export type ModelShape = Pick<CaptionModelConfig, 'embedDim' | 'ffDim' | 'encHeads' | 'decHeads'>;

export interface ModelPreset extends ModelShape {
  arch: Architecture;
  /** Training length and learning rate of the run the preset reproduces (the seed's W&B runs), if any. */
  epochs?: number;
  lr?: number;
  /** Fields chosen by imgcap because the source did not record them, each with the reason. */
  assumed?: Partial<Record<keyof ModelShape, string>>;
  description: string;
}

const FF_ASSUMED_DEFAULT = "not recorded by the seed's W&B run: its training script's default --ff_dim 256";
const FF_ASSUMED_LARGE = "not recorded by the seed's W&B run: 512, as its one recorded large run (L, embed 1028)";

/**
 * The seed's five trained sizes (its W&B runs; all at seq_length 36, vocabulary 10,000, batch 128, B1 at 224 px)
 * and imgcap's five sizes of its own architecture.
 */
export const PRESETS = {
  'seed-tiny': {
    arch: 'seed',
    embedDim: 256,
    ffDim: 256,
    encHeads: 4,
    decHeads: 4,
    epochs: 30,
    lr: 1e-4,
    assumed: { ffDim: FF_ASSUMED_DEFAULT },
    description: "the seed's TINY run",
  },
  'seed-s': {
    arch: 'seed',
    embedDim: 512,
    ffDim: 256,
    encHeads: 2,
    decHeads: 2,
    epochs: 20,
    lr: 1e-3,
    description: "the seed's S run (its shipped model)",
  },
  'seed-l': {
    arch: 'seed',
    embedDim: 1028,
    ffDim: 512,
    encHeads: 4,
    decHeads: 4,
    epochs: 10,
    lr: 1e-4,
    description: "the seed's L run",
  },
  'seed-lplus': {
    arch: 'seed',
    embedDim: 1256,
    ffDim: 512,
    encHeads: 4,
    decHeads: 4,
    epochs: 40,
    lr: 1e-4,
    assumed: { ffDim: FF_ASSUMED_LARGE },
    description: "the seed's L+ run",
  },
  'seed-xl': {
    arch: 'seed',
    embedDim: 1028,
    ffDim: 512,
    encHeads: 6,
    decHeads: 6,
    epochs: 40,
    lr: 1e-4,
    assumed: { ffDim: FF_ASSUMED_LARGE },
    description: "the seed's XL run",
  },
  tiny: { arch: 'imgcap', embedDim: 128, ffDim: 256, encHeads: 2, decHeads: 2, description: 'imgcap, smallest' },
  s: { arch: 'imgcap', embedDim: 256, ffDim: 512, encHeads: 2, decHeads: 4, description: 'imgcap, small' },
  m: {
    arch: 'imgcap',
    embedDim: 512,
    ffDim: 256,
    encHeads: 2,
    decHeads: 4,
    description: "imgcap at the seed's default shape",
  },
  l: {
    arch: 'imgcap',
    embedDim: 1024,
    ffDim: 512,
    encHeads: 4,
    decHeads: 4,
    description: "imgcap at the seed's documented example shape",
  },
  xl: { arch: 'imgcap', embedDim: 1024, ffDim: 2048, encHeads: 8, decHeads: 8, description: 'imgcap, largest' },
} as const satisfies Record<string, ModelPreset>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

function requireInteger(name: string, value: unknown, min: number): void {
  if (!Number.isInteger(value) || (value as number) < min) {
    throw new Error(`CaptionModelConfig.${name} must be an integer ≥ ${min}, got ${String(value)}.`);
  }
}

/** Throws an error naming the first bad field and what is allowed; returns the config with `arch` filled in. */
export function validateConfig(config: CaptionModelConfig): CaptionModelConfig & { arch: Architecture } {
  const arch = architectureOf(config);
  if (!ARCHITECTURES.includes(arch)) {
    throw new Error(
      `CaptionModelConfig.arch must be one of ${ARCHITECTURES.join(', ')}, got ${JSON.stringify(config.arch)}.`,
    );
  }
  requireInteger('vocabSize', config.vocabSize, 5);
  requireInteger('seqLength', config.seqLength, 3);
  requireInteger('embedDim', config.embedDim, 1);
  requireInteger('ffDim', config.ffDim, 1);
  requireInteger('encHeads', config.encHeads, 1);
  requireInteger('decHeads', config.decHeads, 1);
  requireInteger('imageSize', config.imageSize, 1);
  // The seed's heads are each embedDim wide; imgcap's split embedDim between them.
  for (const key of arch === 'imgcap' ? (['encHeads', 'decHeads'] as const) : []) {
    if (config.embedDim % config[key] !== 0) {
      throw new Error(`CaptionModelConfig.embedDim (${config.embedDim}) must be divisible by ${key} (${config[key]}).`);
    }
  }
  const rates: [string, number][] = [['dropout', config.dropout]];
  if (config.seedDropout !== undefined)
    rates.push(...Object.entries(config.seedDropout).map(([k, v]): [string, number] => [`seedDropout.${k}`, v]));
  for (const [name, rate] of rates) {
    if (!(rate >= 0 && rate < 1)) throw new Error(`CaptionModelConfig.${name} must be in [0, 1), got ${rate}.`);
  }
  if (!Array.isArray(config.featureShape) || config.featureShape.length !== 2) {
    throw new Error(
      `CaptionModelConfig.featureShape must be [tokens, channels], got ${JSON.stringify(config.featureShape)}.`,
    );
  }
  requireInteger('featureShape[0]', config.featureShape[0], 1);
  requireInteger('featureShape[1]', config.featureShape[1], 1);
  if (typeof config.backbone !== 'string' || config.backbone.length === 0) {
    throw new Error('CaptionModelConfig.backbone must be a backbone id such as "efficientnet-b1@224".');
  }
  return { ...config, arch };
}
