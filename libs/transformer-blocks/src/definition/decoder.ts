import {
  attendProjected,
  attention,
  declareAttention,
  projectKey,
  projectQuery,
  projectValue,
  type AttentionSpec,
} from './attention.js';
import { attentionSpecOf, type BlockSpec } from './block-spec.js';
import { declareFeedForward, feedForward, residual } from './sublayers.js';
import type { TensorOps, WeightDeclarer } from './tensor-ops.js';

const SELF = 'self_attention';
const CROSS = 'cross_attention';

/** Keys and values, [batch, heads, len, headDim] each: a self-attention cache, or an encoder output's projections. */
export interface KeyValues<T> {
  readonly keys: T;
  readonly values: T;
}

/**
 * imgcap's and the seed's decoder block (keras-hub's TransformerDecoder): causal self-attention, cross-attention over
 * the encoder output when it has one (`encoderDim` not null), feed-forward; each residual.
 */
export function declareDecoderBlock(
  w: WeightDeclarer,
  spec: BlockSpec,
  dims: { hidden: number; encoderDim: number | null; intermediate: number; kerasLayout: boolean },
): void {
  const { hidden, encoderDim, intermediate, kerasLayout } = dims;
  const attentionSpec = attentionSpecOf(spec);
  declareAttention(w, SELF, attentionSpec, { queryDim: hidden, keyDim: hidden, valueDim: hidden }, { kerasLayout });
  w.layerNorm(`${SELF}_norm`, hidden);
  if (encoderDim !== null) {
    const memory = { queryDim: hidden, keyDim: encoderDim, valueDim: encoderDim };
    declareAttention(w, CROSS, attentionSpec, memory, { kerasLayout });
    w.layerNorm(`${CROSS}_norm`, hidden);
  }
  declareFeedForward(w, 'feedforward', hidden, intermediate);
  w.layerNorm('feedforward_norm', hidden);
}

/** How each attention sublayer attends, given its (normalised, when pre-norm) input [batch, len, dim]. */
interface SublayerAttention<T> {
  self: (h: T) => T;
  /** Null: the block has no cross-attention. */
  cross: ((h: T) => T) | null;
}

/**
 * The block's sublayers in order. The full pass and the cached step differ only in where attention's keys and values
 * come from, so both run this.
 */
function decoderSublayers<T>(ops: TensorOps<T>, x: T, spec: BlockSpec, attend: SublayerAttention<T>): T {
  let h = residual(ops, x, `${SELF}_norm`, spec, attend.self);
  if (attend.cross) h = residual(ops, h, `${CROSS}_norm`, spec, attend.cross);
  const out = residual(ops, h, 'feedforward_norm', spec, (input) =>
    feedForward(ops, input, 'feedforward', spec.feedForwardDropout),
  );
  return ops.dropout(out, spec.outputDropout);
}

/**
 * The full pass over a decoder sequence [batch, len, dim]: `visible` is the self-attention mask (causal, times padding),
 * `encoded` the encoder output [batch, encLen, encDim] or null for a block without cross-attention.
 */
export function decoderBlock<T>(ops: TensorOps<T>, x: T, visible: T, encoded: T | null, spec: BlockSpec): T {
  const attentionSpec = attentionSpecOf(spec);
  return decoderSublayers(ops, x, spec, {
    self: (h) => attention(ops, { query: h, key: h, value: h }, visible, SELF, attentionSpec).output,
    cross:
      encoded === null
        ? null
        : (h) => attention(ops, { query: h, key: encoded, value: encoded }, null, CROSS, attentionSpec).output,
  });
}

/** The cross-attention keys and values of an encoder output, computed once per image. */
export function crossAttentionMemory<T>(ops: TensorOps<T>, encoded: T, spec: BlockSpec): KeyValues<T> {
  const attentionSpec = attentionSpecOf(spec);
  return {
    keys: projectKey(ops, encoded, CROSS, attentionSpec),
    values: projectValue(ops, encoded, CROSS, attentionSpec),
  };
}

/** What one cached decoding step reads. */
export interface DecoderStepInputs<T> {
  /** The self-attention cache [batch, heads, maxLength, headDim] before this step. */
  readonly cache: KeyValues<T>;
  /** 1 at this step's cache slot, 0 elsewhere, broadcastable to the cache ([1, 1, maxLength, 1]). */
  readonly slot: T;
  /** 1 at the slots up to and including this one, broadcastable to the logits ([1, 1, 1, maxLength]). */
  readonly visible: T;
  /** `crossAttentionMemory` of the image, or null for a block without cross-attention. */
  readonly memory: KeyValues<T> | null;
}

export interface DecoderStepOutputs<T> {
  /** [batch, 1, dim] */
  readonly output: T;
  /** The cache with this step's slot written. */
  readonly cache: KeyValues<T>;
  /** This step's own keys and values, [batch, heads, 1, headDim]. */
  readonly fresh: KeyValues<T>;
  /** Cross-attention weights [batch, heads, 1, encLen]; null without cross-attention. */
  readonly crossScores: T | null;
}

/** One token [batch, 1, dim] through the block with a key/value cache: row `position` of the full causal pass. */
export function decoderBlockStep<T>(
  ops: TensorOps<T>,
  x: T,
  inputs: DecoderStepInputs<T>,
  spec: BlockSpec,
): DecoderStepOutputs<T> {
  const attentionSpec = attentionSpecOf(spec);
  const written: { cache?: KeyValues<T>; fresh?: KeyValues<T>; crossScores: T | null } = { crossScores: null };
  const memory = inputs.memory;
  const output = decoderSublayers(ops, x, spec, {
    self: (h) => {
      const fresh = {
        keys: projectKey(ops, h, SELF, attentionSpec),
        values: projectValue(ops, h, SELF, attentionSpec),
      };
      const cache = {
        keys: writeSlot(ops, inputs.cache.keys, fresh.keys, inputs.slot),
        values: writeSlot(ops, inputs.cache.values, fresh.values, inputs.slot),
      };
      Object.assign(written, { cache, fresh });
      const q = projectQuery(ops, h, SELF, attentionSpec);
      return attendProjected(ops, { q, k: cache.keys, v: cache.values }, inputs.visible, SELF, attentionSpec).output;
    },
    cross: memory === null ? null : (h) => crossStep(ops, h, memory, attentionSpec, written),
  });
  return { output, cache: written.cache!, fresh: written.fresh!, crossScores: written.crossScores };
}

function crossStep<T>(
  ops: TensorOps<T>,
  h: T,
  memory: KeyValues<T>,
  spec: AttentionSpec,
  written: { crossScores: T | null },
): T {
  const q = projectQuery(ops, h, CROSS, spec);
  const attended = attendProjected(ops, { q, k: memory.keys, v: memory.values }, null, CROSS, spec);
  written.crossScores = attended.scores;
  return attended.output;
}

/** `past` with the slot `slot` marks replaced by `fresh` (broadcast along the slots). */
function writeSlot<T>(ops: TensorOps<T>, past: T, fresh: T, slot: T): T {
  return ops.add(ops.mul(past, ops.complement(slot)), ops.mul(fresh, slot));
}
