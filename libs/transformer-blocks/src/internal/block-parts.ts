import * as tf from '@tensorflow/tfjs-core';
import { LayerNormParts } from '../layer-norm.js';
import { requireBoolean, requirePositive, requirePositiveInt, requireRate } from './validate.js';
import type { AttentionHyperparams } from './attention-parts.js';
import { addDense, applyDense, maybeDropout, type DenseParams, type WeightFactory } from './weights.js';

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
  /** Attention weights in Keras MultiHeadAttention's shapes (see AttentionParts). */
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

/** The settings of a block's attention sublayers. */
export function attentionHyperparams(hp: BlockHyperparams, perHead: number): AttentionHyperparams {
  return {
    numHeads: hp.numHeads,
    keyDim: perHead,
    valueDim: perHead,
    dropout: hp.attentionDropout ?? hp.dropout,
    useBias: true,
    kerasLayout: hp.kerasLayout,
  };
}

/** Position-wise feed-forward network: dense(intermediateDim, relu) → dense(hiddenDim). */
export class FeedForwardParts {
  private constructor(
    private readonly intermediate: DenseParams,
    private readonly output: DenseParams,
  ) {}

  static create(add: WeightFactory, prefix: string, hiddenDim: number, intermediateDim: number): FeedForwardParts {
    return new FeedForwardParts(
      addDense(add, `${prefix}intermediate`, hiddenDim, intermediateDim),
      addDense(add, `${prefix}output`, intermediateDim, hiddenDim),
    );
  }

  /** `dropout` (training only) sits between the two layers, as in the seed's Keras decoder. */
  apply(x: tf.Tensor, dropout = 0, training = false): tf.Tensor {
    return applyDense(maybeDropout(tf.relu(applyDense(x, this.intermediate)), dropout, training), this.output);
  }
}

/**
 * One residual sublayer. Post-norm (default, as the seed's Keras blocks and keras-hub):
 * `norm(x + dropout(body(x)))`. Pre-norm (`normalizeFirst`): `x + dropout(body(norm(x)))`.
 */
export function residual(
  x: tf.Tensor,
  norm: LayerNormParts,
  hp: BlockHyperparams,
  training: boolean,
  body: (h: tf.Tensor) => tf.Tensor,
): tf.Tensor {
  const h = body(hp.normalizeFirst ? norm.apply(x) : x);
  const sum = tf.add(x, maybeDropout(h, hp.dropout, training));
  return hp.normalizeFirst ? sum : norm.apply(sum);
}
