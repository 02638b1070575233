// The three exported graphs: the bundle's model with its blocks taken from @imgcap/transformer-blocks/definition (the
// definitions the tfjs layers run), composed as CaptionModel composes its layers. Weight names are the bundle's
// (LAYER_NAMES), so an ONNX initializer can be traced back to the tfjs weight it came from.
import { LAYER_NAMES, type Architecture } from '@imgcap/captioner/model';
import {
  crossAttentionMemory,
  decoderBlockStep,
  encoderBlock,
  seedEncoderBlock,
  type BlockSpec,
} from '@imgcap/transformer-blocks/definition';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { GraphWeights, OnnxOps, type WeightValue } from './onnx-ops.js';

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
  /** The tfjs blocks' own specs (`blockSpec`). */
  encoder: BlockSpec;
  decoder: BlockSpec;
}

export type BundleWeights = ReadonlyMap<string, WeightValue>;

const FLOAT = 1;

/** features [batch, T, C] → encoded [batch, T, D] and the decoder's cross-attention keys/values [batch, H, T, dh]. */
export function buildEncoderGraph(weights: BundleWeights, spec: GraphSpec): Uint8Array {
  const g = new GraphBuilder('imgcap_encoder');
  const ops = new OnnxOps(g, new GraphWeights(g, weights));
  const { gridTokens: T, featureChannels: C, embedDim: D, decoder: dec } = spec;
  const features = g.input('features', 'float32', ['batch', T, C]);
  const encoded = imageEncoder(ops, features, spec);
  g.output(encoded, 'encoded', 'float32', ['batch', T, D]);
  const memory = crossAttentionMemory(ops.within(LAYER_NAMES.decoder), encoded, dec);
  const crossShape = ['batch', dec.numHeads, T, dec.headDim];
  g.output(memory.keys, 'cross_keys', 'float32', crossShape);
  g.output(memory.values, 'cross_values', 'float32', crossShape);
  return g.toBytes();
}

/**
 * The seed: its encoder block does its own projection. imgcap: a Dense projection (relu) and learned grid positions
 * before a full encoder block (ARCHITECTURE_BUILDERS in @imgcap/captioner).
 */
function imageEncoder(ops: OnnxOps, features: string, spec: GraphSpec): string {
  const block = ops.within(LAYER_NAMES.encoder);
  if (spec.arch === 'seed') return seedEncoderBlock(block, features, spec.encoder);
  const projected = ops.relu(ops.dense(features, LAYER_NAMES.projection));
  const positioned = ops.add(projected, ops.weight(`${LAYER_NAMES.imagePosition}/embeddings`));
  return encoderBlock(block, positioned, null, spec.encoder);
}

/**
 * One decoding step for `rows` sequences: token ids [rows, 1] at `position`, the self-attention cache
 * [rows, H, maxLength, dh] → log-probabilities [rows, V], this position's keys and values
 * [rows, H, 1, dh] (the caller writes them into its cache: returning the whole cache cost a copy of it
 * at every step), and the cross-attention weights averaged over heads [rows, T]. The block is
 * `decoderBlockStep`, as TransformerDecoderBlock.step runs it.
 */
export function buildDecoderStepGraph(weights: BundleWeights, spec: GraphSpec): Uint8Array {
  const g = new GraphBuilder('imgcap_decoder_step');
  const ops = new OnnxOps(g, new GraphWeights(g, weights));
  const { gridTokens: T, embedDim: D, vocabSize: V, maxLength: L, decoder: dec } = spec;
  const cacheShape = ['rows', dec.numHeads, L, dec.headDim];
  const crossShape = ['rows', dec.numHeads, T, dec.headDim];
  const tokens = g.input('tokens', 'int64', ['rows', 1]);
  const position = g.input('position', 'int64', []);
  const cache = {
    keys: g.input('past_keys', 'float32', cacheShape),
    values: g.input('past_values', 'float32', cacheShape),
  };
  const memory = {
    keys: g.input('cross_keys', 'float32', crossShape),
    values: g.input('cross_values', 'float32', crossShape),
  };

  const x = stepEmbedding(ops, g, tokens, position, spec.scaleBySqrtDim ? Math.sqrt(D) : null);
  const { slot, visible } = cacheSlots(g, L, position);
  const step = decoderBlockStep(ops.within(LAYER_NAMES.decoder), x, { cache, slot, visible, memory }, dec);
  const logits = g.op('Reshape', [ops.dense(step.output, LAYER_NAMES.logits), g.constant([0, V], 'int64')]);
  g.output(g.op('LogSoftmax', [logits], { axis: -1 }), 'log_probs', 'float32', ['rows', V]);
  const freshShape = ['rows', dec.numHeads, 1, dec.headDim];
  g.output(step.fresh.keys, 'new_keys', 'float32', freshShape);
  g.output(step.fresh.values, 'new_values', 'float32', freshShape);
  const meanOverHeads = g.op('ReduceMean', [step.crossScores!], { axes: [1], keepdims: 0 });
  g.output(g.op('Reshape', [meanOverHeads, g.constant([0, T], 'int64')]), 'cross_attention', 'float32', ['rows', T]);
  return g.toBytes();
}

/** The token's embedding (times `scale` where the architecture scales it) plus its position's. */
function stepEmbedding(ops: OnnxOps, g: GraphBuilder, tokens: string, position: string, scale: number | null) {
  const table = (name: string) => ops.weight(`${LAYER_NAMES.embedding}/${name}/embeddings`);
  const tokenVectors = g.op('Gather', [table('token_embedding'), tokens], { axis: 0 });
  const scaled = scale === null ? tokenVectors : ops.scale(tokenVectors, scale);
  return ops.add(scaled, g.op('Gather', [table('position_embedding'), position], { axis: 0 }));
}

/** This step's cache slot among L ([1, 1, L, 1], 1 at `position`) and the slots visible from it ([1, 1, 1, L]). */
function cacheSlots(g: GraphBuilder, L: number, position: string) {
  const slots = g.constant(
    Array.from({ length: L }, (_, i) => i),
    'int64',
  );
  const asFloat = (mask: string, shape: number[]) =>
    g.op('Reshape', [g.op('Cast', [mask], { to: FLOAT }), g.constant(shape, 'int64')]);
  return {
    slot: asFloat(g.op('Equal', [slots, position]), [1, 1, L, 1]),
    visible: asFloat(g.op('LessOrEqual', [slots, position]), [1, 1, 1, L]),
  };
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
