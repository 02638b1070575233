// Single-image caption latency of the decoder alone (features given, backbone excluded), and what the
// key/value cache buys over re-running the decoder on the whole prefix at every step.
import * as tf from '@tensorflow/tfjs-core';
import { searchTokensOf } from '@imgcap/captioner/generation';
import { CaptionModel, generateFromFeatures } from '@imgcap/captioner/model';
import { SPECIAL_IDS_NOT_IN_CAPTIONS, SpecialTokens } from '@imgcap/tokenizer';
import { round, summarize, timeRepeats } from './measure.mjs';

/** The search tokens of imgcap's own tokenizer (`WordTokenizer`), which the random-weight models here decode with. */
export const SEARCH_TOKENS = searchTokensOf({ markers: SpecialTokens, bannedInCaptions: SPECIAL_IDS_NOT_IN_CAPTIONS });

/** The seed's default shape in imgcap's architecture: embed 512, ff 256, heads 2/4, seq 36, vocab 10k, on B1's 7×7×1280 grid. */
export const SEED_CONFIG = {
  arch: 'imgcap',
  vocabSize: 10_000,
  seqLength: 36,
  embedDim: 512,
  ffDim: 256,
  encHeads: 2,
  decHeads: 4,
  dropout: 0.1,
  backbone: 'efficientnet-b1@224',
  imageSize: 224,
  featureShape: [49, 1280],
};

const MODES = [
  { key: 'greedy_cached', beamWidth: 1, useCache: true },
  { key: 'greedy_full', beamWidth: 1, useCache: false },
  { key: 'beam3_cached', beamWidth: 3, useCache: true },
  { key: 'beam3_full', beamWidth: 3, useCache: false },
];

/**
 * A random model stops at a random step, which would make latency depend on luck. Pushing the end
 * marker's logit bias far down makes every caption run to maxLength: a fixed, worst-case workload.
 */
export function suppressEndMarker(model) {
  const [kernel, bias] = model.logitsLayer.getWeights();
  const values = bias.arraySync();
  values[SEARCH_TOKENS.end] = -1e4;
  const lowered = tf.tensor1d(values);
  model.logitsLayer.setWeights([kernel, lowered]);
  lowered.dispose();
}

/** Milliseconds per caption of `modes`, one image of random features, every caption run to maxLength. */
async function timeModes(config, modes, repeats) {
  const model = new CaptionModel(config);
  const features = tf.randomUniform([1, ...config.featureShape], 0, 2, 'float32', 3);
  try {
    suppressEndMarker(model);
    const result = {};
    for (const { key, beamWidth, useCache } of modes) {
      let generated = 0;
      const samples = await timeRepeats(
        async () => {
          const [best] = await generateFromFeatures(model, features, SEARCH_TOKENS, { beamWidth, useCache });
          generated = best.tokens.length;
        },
        { repeats, warmup: 1 },
      );
      const ms = summarize(samples);
      result[key] = { ms, tokens: generated, ms_per_token: round(ms.median / generated) };
    }
    return result;
  } finally {
    features.dispose();
    model.dispose();
  }
}

/**
 * Milliseconds per caption for greedy and beam-3, cached and full, at the seed's shape in imgcap's architecture;
 * and `seed_arch`: the seed's own network at that shape (greedy and beam-3 cached, greedy full for the speedup).
 */
export async function benchLatencyGroup({ repeats }) {
  const result = { seq_length: SEED_CONFIG.seqLength, ...(await timeModes(SEED_CONFIG, MODES, repeats)) };
  result.tokens_per_caption = result.greedy_cached.tokens;
  result.greedy_cache_speedup = round(result.greedy_full.ms.median / result.greedy_cached.ms.median);
  result.beam3_cache_speedup = round(result.beam3_full.ms.median / result.beam3_cached.ms.median);
  const seed = await timeModes(
    { ...SEED_CONFIG, arch: 'seed' },
    MODES.filter((m) => m.key !== 'beam3_full'),
    repeats,
  );
  result.seed_arch = {
    ...seed,
    greedy_cache_speedup: round(seed.greedy_full.ms.median / seed.greedy_cached.ms.median),
  };
  return result;
}
