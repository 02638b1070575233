// The three exported graphs. Weight names are the bundle's (LAYER_NAMES in @imgcap/captioner), so an
// ONNX initializer can be traced back to the tfjs weight it came from.
import type { Architecture } from '@imgcap/captioner/model';
import { MASKED_LOGIT } from '@imgcap/transformer-blocks';
import { GraphBuilder } from '../onnx/graph-builder.js';
import {
  attendProjected,
  feedForward,
  GraphWeights,
  projectHeads,
  projectQuery,
  residual,
  selfAttention,
  dense,
  layerNorm,
  type BlockSpec,
  type WeightValue,
} from './transformer-ops.js';

/** Shapes and block settings the graphs are built for (all read from the bundle). */
export interface GraphSpec {
  /** Which encoder to build (the decoder step is the same graph for both, with the blocks' settings). */
  arch: Architecture;
  gridTokens: number;
  featureChannels: number;
  embedDim: number;
  vocabSize: number;
  /** Decoder positions = the bundle's seqLength − 1: the length of the self-attention cache. */
  maxLength: number;
  scaleBySqrtDim: boolean;
  encoder: BlockSpec;
  decoder: BlockSpec;
}

export type BundleWeights = ReadonlyMap<string, WeightValue>;

const FLOAT = 1;

/** features [batch, T, C] → encoded [batch, T, D] and the decoder's cross-attention keys/values [batch, H, T, dh]. */
export function buildEncoderGraph(weights: BundleWeights, spec: GraphSpec): Uint8Array {
  const g = new GraphBuilder('imgcap_encoder');
  const w = new GraphWeights(g, weights);
  const { gridTokens: T, featureChannels: C, embedDim: D, encoder: enc, decoder: dec } = spec;
  const features = g.input('features', 'float32', ['batch', T, C]);
  const encoded = spec.arch === 'seed' ? seedEncoder(g, w, features, enc) : imgcapEncoder(g, w, features, enc);
  g.output(encoded, 'encoded', 'float32', ['batch', T, D]);
  const crossShape = ['batch', dec.numHeads, T, dec.headDim];
  g.output(projectHeads(g, w, encoded, 'decoder_block/cross_attention/key', dec), 'cross_keys', 'float32', crossShape);
  g.output(
    projectHeads(g, w, encoded, 'decoder_block/cross_attention/value', dec),
    'cross_values',
    'float32',
    crossShape,
  );
  return g.toBytes();
}

/** Dense projection + learned grid positions, then a full encoder block (attention and feed-forward). */
function imgcapEncoder(g: GraphBuilder, w: GraphWeights, features: string, enc: BlockSpec): string {
  const projected = g.op('Relu', [dense(g, w, features, 'image_projection')]);
  const positioned = g.op('Add', [projected, w.use('image_position/embeddings')]);
  const attended = residual(g, w, positioned, 'encoder_block/self_attention_norm', enc, (h) =>
    selfAttention(g, w, h, 'encoder_block/self_attention', enc),
  );
  return residual(g, w, attended, 'encoder_block/feedforward_norm', enc, (h) => feedForward(g, w, h, 'encoder_block'));
}

/** SeedEncoderBlock: LayerNorm → Dense(relu) → x; LayerNorm(x + self-attention(x)). */
function seedEncoder(g: GraphBuilder, w: GraphWeights, features: string, enc: BlockSpec): string {
  const normalised = layerNorm(g, w, features, 'encoder_block/feature_norm', enc.epsilon);
  const projected = g.op('Relu', [dense(g, w, normalised, 'encoder_block/feature_projection')]);
  return residual(g, w, projected, 'encoder_block/self_attention_norm', enc, (h) =>
    selfAttention(g, w, h, 'encoder_block/self_attention', enc),
  );
}

/**
 * One decoding step for `rows` sequences: token ids [rows, 1] at `position`, the self-attention cache
 * [rows, H, maxLength, dh] → log-probabilities [rows, V], this position's keys and values
 * [rows, H, 1, dh] (the caller writes them into its cache: returning the whole cache cost a copy of it
 * at every step), and the cross-attention weights averaged over heads [rows, T]. Same maths as
 * TransformerDecoderBlock.step.
 */
export function buildDecoderStepGraph(weights: BundleWeights, spec: GraphSpec): Uint8Array {
  const g = new GraphBuilder('imgcap_decoder_step');
  const w = new GraphWeights(g, weights);
  const { gridTokens: T, embedDim: D, vocabSize: V, maxLength: L, decoder: dec } = spec;
  const cacheShape = ['rows', dec.numHeads, L, dec.headDim];
  const crossShape = ['rows', dec.numHeads, T, dec.headDim];
  const tokens = g.input('tokens', 'int64', ['rows', 1]);
  const position = g.input('position', 'int64', []);
  const pastKeys = g.input('past_keys', 'float32', cacheShape);
  const pastValues = g.input('past_values', 'float32', cacheShape);
  const crossKeys = g.input('cross_keys', 'float32', crossShape);
  const crossValues = g.input('cross_values', 'float32', crossShape);

  const x = stepEmbedding(g, w, tokens, position, spec.scaleBySqrtDim ? Math.sqrt(D) : null);
  const { write, maskBias } = cacheSlots(g, L, position);

  let newKeys = '';
  let newValues = '';
  const selfPrefix = 'decoder_block/self_attention';
  const afterSelf = residual(g, w, x, `${selfPrefix}_norm`, dec, (h) => {
    newKeys = projectHeads(g, w, h, `${selfPrefix}/key`, dec);
    newValues = projectHeads(g, w, h, `${selfPrefix}/value`, dec);
    const q = projectQuery(g, w, h, selfPrefix, dec);
    const k = write(pastKeys, newKeys);
    const v = write(pastValues, newValues);
    return attendProjected(g, w, { q, k, v }, selfPrefix, dec, maskBias).output;
  });
  let crossScores = '';
  const crossPrefix = 'decoder_block/cross_attention';
  const afterCross = residual(g, w, afterSelf, `${crossPrefix}_norm`, dec, (h) => {
    const q = projectQuery(g, w, h, crossPrefix, dec);
    const attended = attendProjected(g, w, { q, k: crossKeys, v: crossValues }, crossPrefix, dec, null);
    crossScores = attended.scores;
    return attended.output;
  });
  const decoded = residual(g, w, afterCross, 'decoder_block/feedforward_norm', dec, (h) =>
    feedForward(g, w, h, 'decoder_block'),
  );
  const logits = g.op('Reshape', [dense(g, w, decoded, 'logits'), g.constant([0, V], 'int64')]);
  g.output(g.op('LogSoftmax', [logits], { axis: -1 }), 'log_probs', 'float32', ['rows', V]);
  const freshShape = ['rows', dec.numHeads, 1, dec.headDim];
  g.output(newKeys, 'new_keys', 'float32', freshShape);
  g.output(newValues, 'new_values', 'float32', freshShape);
  const meanOverHeads = g.op('ReduceMean', [crossScores], { axes: [1], keepdims: 0 });
  g.output(g.op('Reshape', [meanOverHeads, g.constant([0, T], 'int64')]), 'cross_attention', 'float32', ['rows', T]);
  return g.toBytes();
}

/** The token's embedding (times `scale` where the architecture scales it) plus its position's. */
function stepEmbedding(g: GraphBuilder, w: GraphWeights, tokens: string, position: string, scale: number | null) {
  const tokenVectors = g.op('Gather', [w.use('token_embedding/token_embedding/embeddings'), tokens], { axis: 0 });
  const scaled = scale === null ? tokenVectors : g.op('Mul', [tokenVectors, g.scalar(scale)]);
  const positionVector = g.op('Gather', [w.use('token_embedding/position_embedding/embeddings'), position], {
    axis: 0,
  });
  return g.op('Add', [scaled, positionVector]);
}

/**
 * The cache slot of `position` among L: `write(past, fresh)` puts this step's keys or values into it, and
 * `maskBias` hides the slots after it from attention.
 */
function cacheSlots(g: GraphBuilder, L: number, position: string) {
  const slots = g.constant(
    Array.from({ length: L }, (_, i) => i),
    'int64',
  );
  const isSlot = g.op('Reshape', [
    g.op('Cast', [g.op('Equal', [slots, position])], { to: FLOAT }),
    g.constant([1, 1, L, 1], 'int64'),
  ]);
  const keep = g.op('Sub', [g.scalar(1), isSlot]);
  const write = (past: string, fresh: string) => g.op('Add', [g.op('Mul', [past, keep]), g.op('Mul', [fresh, isSlot])]);
  const visible = g.op('Cast', [g.op('LessOrEqual', [slots, position])], { to: FLOAT });
  const maskBias = g.op('Reshape', [
    g.op('Mul', [g.op('Sub', [g.scalar(1), visible]), g.scalar(MASKED_LOGIT)]),
    g.constant([1, 1, 1, L], 'int64'),
  ]);
  return { write, maskBias };
}

/** `patch<P>@<S>`: images [batch, S, S, 3] in 0..255 → row-major patches / 255, [batch, T, P·P·3]. */
export function buildPatchBackboneGraph(patchSize: number, imageSize: number): Uint8Array {
  const g = new GraphBuilder('imgcap_patch_backbone');
  const grid = imageSize / patchSize;
  const channels = patchSize * patchSize * 3;
  const images = g.input('images', 'float32', ['batch', imageSize, imageSize, 3]);
  const split = g.op('Reshape', [images, g.constant([-1, grid, patchSize, grid, patchSize, 3], 'int64')]);
  const patches = g.op('Transpose', [split], { perm: [0, 1, 3, 2, 4, 5] });
  const flat = g.op('Reshape', [patches, g.constant([-1, grid * grid, channels], 'int64')]);
  g.output(g.op('Div', [flat, g.scalar(255)]), 'features', 'float32', ['batch', grid * grid, channels]);
  return g.toBytes();
}
