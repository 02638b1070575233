import * as tf from '@tensorflow/tfjs-core';
import { layers, type Shape } from '@tensorflow/tfjs-layers';
import { attention, declareAttention } from './definition/attention.js';
import { causalMask } from './internal/masks.js';
import { LayerWeights, TfTensorOps } from './internal/tf-ops.js';
import { requireBoolean, requirePositiveInt, requireRate } from './internal/validate.js';
import { isTraining, lastDim, weightFactory, type BaseLayerArgs, type LayerKwargs } from './internal/weights.js';

export interface MultiHeadAttentionArgs extends BaseLayerArgs {
  numHeads: number;
  /** Width of each head's query and key projection. */
  keyDim: number;
  /** Width of each head's value projection. Default: keyDim. */
  valueDim?: number;
  /** Dropout on the attention weights while training. Default 0. */
  dropout?: number;
  /** Biases on the four projections. Default true. */
  useBias?: boolean;
  /**
   * Store the projections in Keras MultiHeadAttention's shapes (query/key/value kernels [in, heads, dim],
   * biases [heads, dim], output kernel [heads, valueDim, out]) so Keras weights load as they are. Same maths.
   * Default false: [in, heads·dim] matrices.
   */
  kerasLayout?: boolean;
}

/**
 * Options of an imperative call. tfjs-layers drops per-call options inside a functional model (its
 * executor forwards only `training`), so masks there come from the blocks' inputs instead.
 */
export interface MultiHeadAttentionCallOptions {
  /** [batch, queryLen, keyLen], 1 where a query may attend to a key. */
  attentionMask?: tf.Tensor;
  /** Each query attends only to keys at or before its own position. */
  useCausalMask?: boolean;
  /** Return `[output, scores]`, scores being [batch, heads, queryLen, keyLen]. */
  returnAttentionScores?: boolean;
  training?: boolean;
}

const LAYER = 'MultiHeadAttention';

function checkAttentionArgs(args: MultiHeadAttentionArgs) {
  return {
    numHeads: requirePositiveInt(LAYER, 'numHeads', args.numHeads),
    keyDim: requirePositiveInt(LAYER, 'keyDim', args.keyDim),
    valueDim: requirePositiveInt(LAYER, 'valueDim', args.valueDim ?? args.keyDim),
    dropout: requireRate(LAYER, 'dropout', args.dropout ?? 0),
    useBias: requireBoolean(LAYER, 'useBias', args.useBias ?? true),
    kerasLayout: requireBoolean(LAYER, 'kerasLayout', args.kerasLayout ?? false),
  };
}

/**
 * Multi-head scaled dot-product attention (tfjs-layers 4.22 does not export one). Inputs are
 * `[query, value]` or `[query, value, key]` (key defaults to value); the output has the query's width.
 */
export class MultiHeadAttention extends layers.Layer {
  static readonly className = 'ImgcapMultiHeadAttention';
  /** The constructor's arguments, checked once; `getConfig` serialises exactly these. */
  private readonly hp: ReturnType<typeof checkAttentionArgs>;
  private declared: LayerWeights | null = null;

  constructor(args: MultiHeadAttentionArgs) {
    super(args);
    this.hp = checkAttentionArgs(args);
  }

  override build(inputShape: Shape | Shape[]): void {
    const [query, value, key] = this.splitShapes(inputShape);
    const weights = new LayerWeights(
      this.name,
      weightFactory((n, s, d, i) => this.addWeight(n, s, d, i)),
    );
    const dims = {
      queryDim: lastDim(this.name, query, 'the query'),
      valueDim: lastDim(this.name, value, 'the value'),
      keyDim: lastDim(this.name, key ?? value, 'the key'),
    };
    const { useBias, kerasLayout } = this.hp;
    declareAttention(weights, '', this.hp, dims, { useBias, kerasLayout });
    this.declared = weights;
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: LayerKwargs = {}): tf.Tensor | tf.Tensor[] {
    const options = kwargs as MultiHeadAttentionCallOptions;
    return tf.tidy(() => {
      if (!this.declared) throw new Error(`${this.name}: call() before build()`);
      const [query, value, key] = this.splitInputs(inputs);
      const visible = this.combinedMask(query, key ?? value, options);
      const ops = new TfTensorOps(this.declared, isTraining(kwargs));
      const { output, scores } = attention(ops, { query, key: key ?? value, value }, visible, '', this.hp);
      return options.returnAttentionScores === true ? [output, scores] : output;
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return this.splitShapes(inputShape)[0];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.hyperparams() };
  }

  private hyperparams() {
    return { ...this.hp };
  }

  private combinedMask(query: tf.Tensor3D, key: tf.Tensor3D, options: MultiHeadAttentionCallOptions): tf.Tensor | null {
    let mask: tf.Tensor | null = null;
    if (options.attentionMask != null) {
      const expected = [query.shape[0], query.shape[1], key.shape[1]];
      if (options.attentionMask.shape.join() !== expected.join()) {
        throw new Error(
          `${this.name}: attentionMask must have shape [batch, queryLen, keyLen] = ${JSON.stringify(expected)}, got ${JSON.stringify(options.attentionMask.shape)}`,
        );
      }
      // Expand over the heads axis: scores are [batch, heads, queryLen, keyLen].
      mask = tf.expandDims(tf.cast(options.attentionMask, 'float32'), 1);
    }
    if (options.useCausalMask === true) {
      const causal = causalMask(query.shape[1], key.shape[1]);
      mask = mask ? tf.mul(mask, causal) : causal;
    }
    return mask;
  }

  private splitShapes(inputShape: Shape | Shape[]): [Shape, Shape, Shape | undefined] {
    if (!Array.isArray(inputShape[0]) || inputShape.length < 2 || inputShape.length > 3) {
      throw new Error(
        `${this.name}: inputs must be [query, value] or [query, value, key], got shapes ${JSON.stringify(inputShape)}`,
      );
    }
    const shapes = inputShape as Shape[];
    return [shapes[0], shapes[1], shapes[2]];
  }

  private splitInputs(inputs: tf.Tensor | tf.Tensor[]): [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D | undefined] {
    if (!Array.isArray(inputs) || inputs.length < 2 || inputs.length > 3) {
      throw new Error(`${this.name}: inputs must be [query, value] or [query, value, key] tensors`);
    }
    return [inputs[0] as tf.Tensor3D, inputs[1] as tf.Tensor3D, inputs[2] as tf.Tensor3D | undefined];
  }
}

tf.serialization.registerClass(MultiHeadAttention);
