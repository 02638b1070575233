import * as tf from '@tensorflow/tfjs-core';
import { LayerNormParts } from '../layer-norm.js';
import { requireBoolean, requirePositive, requirePositiveInt, requireRate } from './validate.js';
import { addDense, applyDense, maybeDropout, type DenseParams, type WeightFactory } from './weights.js';

/** Hyperparameters shared by the encoder and decoder blocks. */
export interface BlockHyperparams {
  readonly intermediateDim: number;
  readonly numHeads: number;
  readonly dropout: number;
  readonly epsilon: number;
  readonly normalizeFirst: boolean;
}

export function validateBlockArgs(
  layer: string,
  args: { intermediateDim: number; numHeads: number; dropout?: number; epsilon?: number; normalizeFirst?: boolean },
): BlockHyperparams {
  return {
    intermediateDim: requirePositiveInt(layer, 'intermediateDim', args.intermediateDim),
    numHeads: requirePositiveInt(layer, 'numHeads', args.numHeads),
    dropout: requireRate(layer, 'dropout', args.dropout ?? 0),
    epsilon: requirePositive(layer, 'epsilon', args.epsilon ?? 1e-5),
    normalizeFirst: requireBoolean(layer, 'normalizeFirst', args.normalizeFirst ?? false),
  };
}

/** Per-head width: the model width split evenly over the heads, as in keras-hub. */
export function headDim(layer: string, hiddenDim: number, numHeads: number): number {
  if (hiddenDim % numHeads !== 0) {
    throw new Error(`${layer}: the input width ${hiddenDim} must be divisible by numHeads ${numHeads}`);
  }
  return hiddenDim / numHeads;
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

  apply(x: tf.Tensor): tf.Tensor {
    return applyDense(tf.relu(applyDense(x, this.intermediate)), this.output);
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
