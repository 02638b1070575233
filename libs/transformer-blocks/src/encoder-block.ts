import * as tf from '@tensorflow/tfjs-core';
import { layers, type Shape } from '@tensorflow/tfjs-layers';
import type { BlockSpec } from './definition/block-spec.js';
import { declareEncoderBlock, encoderBlock } from './definition/encoder.js';
import {
  headDim,
  resolveBlockSpec,
  validateBlockArgs,
  type BlockHyperparams,
  type TransformerBlockArgs,
} from './internal/block-parts.js';
import { keyPaddingMask } from './internal/masks.js';
import { LayerWeights, TfTensorOps } from './internal/tf-ops.js';
import { isTraining, lastDim, weightFactory, type BaseLayerArgs, type LayerKwargs } from './internal/weights.js';

export type TransformerEncoderBlockArgs = BaseLayerArgs & TransformerBlockArgs;

const LAYER = 'TransformerEncoderBlock';

/**
 * Self-attention + feed-forward, each with a residual connection and LayerNorm (the maths: `encoderBlock` in
 * ./definition). Input: a sequence [batch, length, dim], or `[sequence, paddingMask]` with paddingMask [batch, length]
 * (1 = real).
 */
export class TransformerEncoderBlock extends layers.Layer {
  static readonly className = 'ImgcapTransformerEncoderBlock';
  private readonly hp: BlockHyperparams;
  private prepared: { spec: BlockSpec; weights: LayerWeights } | null = null;

  constructor(args: TransformerEncoderBlockArgs) {
    super(args);
    this.hp = validateBlockArgs(LAYER, args);
  }

  /** The resolved spec the block computes with (known once built). */
  get blockSpec(): BlockSpec {
    if (!this.prepared) throw new Error(`${this.name}: not built yet; apply it to a sequence first`);
    return this.prepared.spec;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const hidden = lastDim(this.name, shape, 'the input sequence');
    const spec = resolveBlockSpec(this.hp, headDim(this.name, hidden, this.hp));
    const weights = new LayerWeights(
      this.name,
      weightFactory((n, s, d, i) => this.addWeight(n, s, d, i)),
    );
    declareEncoderBlock(weights, spec, {
      hidden,
      intermediate: this.hp.intermediateDim,
      kerasLayout: this.hp.kerasLayout,
    });
    this.prepared = { spec, weights };
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: LayerKwargs = {}): tf.Tensor {
    return tf.tidy(() => {
      const { spec, weights } = this.requireBuilt();
      const [x, padding] = Array.isArray(inputs) ? inputs : [inputs];
      const visible = padding ? keyPaddingMask(padding) : null;
      return encoderBlock(new TfTensorOps(weights, isTraining(kwargs)), x!, visible, spec);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.hp };
  }

  private requireBuilt() {
    if (!this.prepared) throw new Error(`${this.name}: call() before build()`);
    return this.prepared;
  }
}

tf.serialization.registerClass(TransformerEncoderBlock);
