import type { BlockSpec } from '../definition/block-spec.js';
import { requireBoolean, requirePositive, requirePositiveInt, requireRate } from './validate.js';

/** Constructor arguments shared by the encoder and decoder blocks. */
export interface TransformerBlockArgs {
  /** Width of the feed-forward network's hidden layer. */
  intermediateDim: number;
  /** Attention heads; unless `keyDim` is set, the model width must be divisible by it. */
  numHeads: number;
  /** Dropout on each residual branch and (unless `attentionDropout` is set) on attention weights, while training. Default 0. */
  dropout?: number;
  /** LayerNorm epsilon. Default 1e-5 (keras-hub's); Keras's own LayerNormalization default is 1e-3. */
  epsilon?: number;
  /** Pre-norm instead of the default post-norm (see README). Default false. */
  normalizeFirst?: boolean;
  /** Width of every attention head (Keras MultiHeadAttention's `key_dim`). Default null: model width / numHeads. */
  keyDim?: number | null;
  /** Dropout on the attention weights only. Default null: `dropout`. */
  attentionDropout?: number | null;
  /** Dropout between the feed-forward network's two layers. Default 0. */
  feedForwardDropout?: number;
  /** Dropout on the block's output, after its last LayerNorm. Default 0. */
  outputDropout?: number;
  /** Attention weights stored in Keras MultiHeadAttention's shapes, with a heads axis. Default false. */
  kerasLayout?: boolean;
}

/** Hyperparameters shared by the encoder and decoder blocks, defaults filled in. */
export interface BlockHyperparams {
  readonly intermediateDim: number;
  readonly numHeads: number;
  /** Dropout on each residual branch (and on attention weights unless `attentionDropout` is set). */
  readonly dropout: number;
  readonly epsilon: number;
  readonly normalizeFirst: boolean;
  /** Width of every attention head; null: the model width / numHeads. */
  readonly keyDim: number | null;
  /** Dropout on the attention weights; null: `dropout`. */
  readonly attentionDropout: number | null;
  /** Dropout between the feed-forward network's two layers. */
  readonly feedForwardDropout: number;
  /** Dropout on the block's output, after its last LayerNorm. */
  readonly outputDropout: number;
  /** Attention weights in Keras MultiHeadAttention's shapes (see `declareAttention`). */
  readonly kerasLayout: boolean;
}

export function validateBlockArgs(layer: string, args: TransformerBlockArgs): BlockHyperparams {
  const optional = <T>(value: T | null | undefined, check: (v: T) => T) => (value == null ? null : check(value));
  return {
    intermediateDim: requirePositiveInt(layer, 'intermediateDim', args.intermediateDim),
    numHeads: requirePositiveInt(layer, 'numHeads', args.numHeads),
    dropout: requireRate(layer, 'dropout', args.dropout ?? 0),
    epsilon: requirePositive(layer, 'epsilon', args.epsilon ?? 1e-5),
    normalizeFirst: requireBoolean(layer, 'normalizeFirst', args.normalizeFirst ?? false),
    keyDim: optional(args.keyDim, (v) => requirePositiveInt(layer, 'keyDim', v)),
    attentionDropout: optional(args.attentionDropout, (v) => requireRate(layer, 'attentionDropout', v)),
    feedForwardDropout: requireRate(layer, 'feedForwardDropout', args.feedForwardDropout ?? 0),
    outputDropout: requireRate(layer, 'outputDropout', args.outputDropout ?? 0),
    kerasLayout: requireBoolean(layer, 'kerasLayout', args.kerasLayout ?? false),
  };
}

/**
 * Per-head width: `keyDim` when given (Keras's `key_dim`: the seed gives every head the full model
 * width), else the model width split evenly over the heads, as in keras-hub.
 */
export function headDim(layer: string, hiddenDim: number, hp: Pick<BlockHyperparams, 'numHeads' | 'keyDim'>): number {
  if (hp.keyDim != null) return hp.keyDim;
  if (hiddenDim % hp.numHeads !== 0) {
    throw new Error(
      `${layer}: the input width ${hiddenDim} must be divisible by numHeads ${hp.numHeads} (or set keyDim)`,
    );
  }
  return hiddenDim / hp.numHeads;
}

/** The spec the definitions compute with, from a layer's checked arguments and its head width. */
export function resolveBlockSpec(hp: BlockHyperparams, perHead: number): BlockSpec {
  return {
    numHeads: hp.numHeads,
    headDim: perHead,
    epsilon: hp.epsilon,
    normalizeFirst: hp.normalizeFirst,
    residualDropout: hp.dropout,
    attentionDropout: hp.attentionDropout ?? hp.dropout,
    feedForwardDropout: hp.feedForwardDropout,
    outputDropout: hp.outputDropout,
  };
}
