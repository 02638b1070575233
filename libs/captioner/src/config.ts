/**
 * One typed config builds the whole captioner (the seed's `seq_length`, `embed_dim`, `ff_dim`,
 * `enc_heads`, `dec_heads`, vocabulary size, backbone and image size). It is stored in every
 * caption bundle and checkpoint, so a saved model always rebuilds with the shape it was trained with.
 */
export interface CaptionModelConfig {
  /** Tokenizer vocabulary size, special tokens included. */
  vocabSize: number;
  /** Caption length in tokens, start and end markers included (decoder positions = seqLength − 1). */
  seqLength: number;
  embedDim: number;
  ffDim: number;
  encHeads: number;
  decHeads: number;
  dropout: number;
  /** Backbone id, e.g. `efficientnet-b1@224` or `patch8@64` (see @imgcap/vision-backbone). */
  backbone: string;
  /** Backbone input size in pixels. */
  imageSize: number;
  /** Image grid the encoder sees: [tokens, channels] of the backbone's features. */
  featureShape: [number, number];
}

export const PRESET_NAMES = ['tiny', 's', 'm', 'l', 'xl'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export type ModelShape = Pick<CaptionModelConfig, 'embedDim' | 'ffDim' | 'encHeads' | 'decHeads'>;

/**
 * Five sizes, like the seed's tiny/XS…XL images. `m` is the seed's default shape (embed 512, ff 256,
 * heads 2/4) and `l` the seed's documented `model1` example (embed 1024, ff 512, heads 4/4).
 */
export const PRESETS: Record<PresetName, ModelShape> = {
  tiny: { embedDim: 128, ffDim: 256, encHeads: 2, decHeads: 2 },
  s: { embedDim: 256, ffDim: 512, encHeads: 2, decHeads: 4 },
  m: { embedDim: 512, ffDim: 256, encHeads: 2, decHeads: 4 },
  l: { embedDim: 1024, ffDim: 512, encHeads: 4, decHeads: 4 },
  xl: { embedDim: 1024, ffDim: 2048, encHeads: 8, decHeads: 8 },
};

function requireInteger(name: string, value: unknown, min: number): void {
  if (!Number.isInteger(value) || (value as number) < min) {
    throw new Error(`CaptionModelConfig.${name} must be an integer ≥ ${min}, got ${String(value)}.`);
  }
}

/** Throws an error naming the first bad field and what is allowed. */
export function validateConfig(config: CaptionModelConfig): CaptionModelConfig {
  requireInteger('vocabSize', config.vocabSize, 5);
  requireInteger('seqLength', config.seqLength, 3);
  requireInteger('embedDim', config.embedDim, 1);
  requireInteger('ffDim', config.ffDim, 1);
  requireInteger('encHeads', config.encHeads, 1);
  requireInteger('decHeads', config.decHeads, 1);
  requireInteger('imageSize', config.imageSize, 1);
  for (const key of ['encHeads', 'decHeads'] as const) {
    if (config.embedDim % config[key] !== 0) {
      throw new Error(`CaptionModelConfig.embedDim (${config.embedDim}) must be divisible by ${key} (${config[key]}).`);
    }
  }
  if (!(config.dropout >= 0 && config.dropout < 1)) {
    throw new Error(`CaptionModelConfig.dropout must be in [0, 1), got ${config.dropout}.`);
  }
  if (!Array.isArray(config.featureShape) || config.featureShape.length !== 2) {
    throw new Error(`CaptionModelConfig.featureShape must be [tokens, channels], got ${JSON.stringify(config.featureShape)}.`);
  }
  requireInteger('featureShape[0]', config.featureShape[0], 1);
  requireInteger('featureShape[1]', config.featureShape[1], 1);
  if (typeof config.backbone !== 'string' || config.backbone.length === 0) {
    throw new Error('CaptionModelConfig.backbone must be a backbone id such as "efficientnet-b1@224".');
  }
  return config;
}
