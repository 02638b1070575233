import { architectureOf, type CaptionModelConfig } from '../config.js';

const dense = (input: number, units: number) => input * units + units;
const layerNorm = (width: number) => 2 * width;
/** A multi-head attention with `heads` heads of `headDim` over queries of width `width` (keys/values too). */
const attention = (width: number, heads: number, headDim: number) =>
  3 * dense(width, heads * headDim) + dense(heads * headDim, width);
const feedForward = (width: number, hidden: number) => dense(width, hidden) + dense(hidden, width);

/**
 * Parameters of the encoder and the decoder a config builds, counted from its shape without allocating them
 * (the seed's XL is over 100 M): `train --dry-run` and the README's size table use it. The split is the seed's
 * `model.summary()`: the decoder includes the token/position embedding and the vocabulary projection.
 * Tested equal to `CaptionModel.parameterCounts()` for both architectures.
 */
export function countModelParameters(config: CaptionModelConfig): { encoder: number; decoder: number } {
  const { vocabSize: V, seqLength, embedDim: E, ffDim, encHeads, decHeads, featureShape } = config;
  const [cells, channels] = featureShape;
  if (architectureOf(config) === 'seed') {
    return {
      encoder: layerNorm(channels) + dense(channels, E) + attention(E, encHeads, E) + layerNorm(E),
      decoder:
        V * E + seqLength * E + 2 * attention(E, decHeads, E) + 3 * layerNorm(E) + feedForward(E, ffDim) + dense(E, V),
    };
  }
  return {
    encoder:
      dense(channels, E) + cells * E + attention(E, encHeads, E / encHeads) + 2 * layerNorm(E) + feedForward(E, ffDim),
    decoder:
      V * E +
      (seqLength - 1) * E +
      2 * attention(E, decHeads, E / decHeads) +
      3 * layerNorm(E) +
      feedForward(E, ffDim) +
      dense(E, V),
  };
}
