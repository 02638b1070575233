// EfficientNet B0–B7 as a tfjs LayersModel with the layer names, weight names and shapes of
// `tf.keras.applications.EfficientNetB*`, so weights converted from Keras load by name.
import * as tfl from '@tensorflow/tfjs-layers';
import {
  assertVariant,
  efficientNetPlan,
  VARIANT_SCALING,
  type BlockPlan,
  type EfficientNetVariant,
} from './efficientnet-spec.js';
import { ChannelRescaling, KerasNormalization } from './input-layers.js';

type SymbolicTensor = tfl.SymbolicTensor;
type Padding = [[number, number], [number, number]];

export interface EfficientNetOptions {
  /** Add avg_pool → top_dropout → predictions (softmax over `classes`). Default false. */
  includeTop?: boolean;
  /** [height, width, 3]. Default: the variant's resolution with a top, [null, null, 3] without (as Keras). */
  inputShape?: [number | null, number | null, 3];
  /** Classifier width when includeTop. Default 1000. */
  classes?: number;
  /** Without a top: global 'avg' or 'max' pooling of the last feature map. Default: none (4-D output). */
  pooling?: 'avg' | 'max';
  /**
   * Per-channel factor applied after `normalization` in a layer named `rescaling_1`. Keras adds exactly this
   * layer (1/√stddev) when it builds the ImageNet model, because its stored Normalization variance holds the
   * stddev; pass the factors from a converted model.json (createFeatureExtractor does) to match its outputs.
   */
  inputChannelScale?: number[];
  /** Base seed of the (Keras-equivalent) random initialisation, so a random backbone is reproducible. Default 1. */
  seed?: number;
}

const KERAS_BN_EPSILON = 1e-3;
/** Stddev of a unit normal truncated at ±2σ; Keras divides by it so truncated_normal keeps the target variance. */
const TRUNCATED_NORMAL_STDDEV = 0.87962566103423978;

/** Keras's CONV_KERNEL_INITIALIZER: VarianceScaling(2.0, fan_out, truncated_normal). */
function convInitializer(kernelSize: number, outChannels: number, seed: number) {
  const fanOut = kernelSize * kernelSize * outChannels;
  const stddev = Math.sqrt(2 / fanOut) / TRUNCATED_NORMAL_STDDEV;
  return tfl.initializers.truncatedNormal({ mean: 0, stddev, seed });
}

/** Stable per-layer seed (FNV-1a of the layer name), so no two layers draw the same kernel. */
function layerSeed(baseSeed: number, name: string): number {
  let hash = 0x811c9dc5 ^ baseSeed;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** Keras imagenet_utils.correct_pad: pad so a stride-2 'valid' conv centres like TF's 'same'. */
function correctPad(input: SymbolicTensor, kernelSize: number): Padding {
  const [height, width] = input.shape.slice(1, 3);
  const adjust = (size: number | null): number => (size == null ? 1 : 1 - (size % 2));
  const half = Math.floor(kernelSize / 2);
  return [
    [half - adjust(height), half],
    [half - adjust(width), half],
  ];
}

function apply(layer: tfl.layers.Layer, input: SymbolicTensor | SymbolicTensor[]): SymbolicTensor {
  return layer.apply(input) as SymbolicTensor;
}

function conv1x1(x: SymbolicTensor, filters: number, name: string, seed: number, activation?: 'swish' | 'sigmoid') {
  const layer = tfl.layers.conv2d({
    filters,
    kernelSize: 1,
    padding: 'same',
    useBias: activation !== undefined,
    activation,
    kernelInitializer: convInitializer(1, filters, layerSeed(seed, name)),
    name,
  });
  return apply(layer, x);
}

function bnSwish(x: SymbolicTensor, bnName: string, activationName?: string): SymbolicTensor {
  const normalized = apply(tfl.layers.batchNormalization({ epsilon: KERAS_BN_EPSILON, name: bnName }), x);
  if (activationName === undefined) return normalized;
  return apply(tfl.layers.activation({ activation: 'swish', name: activationName }), normalized);
}

/** Keras efficientnet.block: expand → depthwise → squeeze-excite → project (→ drop-connect → add). */
function mbConvBlock(inputs: SymbolicTensor, block: BlockPlan, seed: number): SymbolicTensor {
  const { name, kernelSize, strides } = block;
  const filters = block.filtersIn * block.expandRatio;
  let x = inputs;
  if (block.expandRatio !== 1) {
    x = conv1x1(x, filters, `${name}expand_conv`, seed);
    x = bnSwish(x, `${name}expand_bn`, `${name}expand_activation`);
  }
  if (strides === 2) {
    x = apply(tfl.layers.zeroPadding2d({ padding: correctPad(x, kernelSize), name: `${name}dwconv_pad` }), x);
  }
  const dwName = `${name}dwconv`;
  x = apply(
    tfl.layers.depthwiseConv2d({
      kernelSize,
      strides,
      padding: strides === 2 ? 'valid' : 'same',
      useBias: false,
      depthwiseInitializer: convInitializer(kernelSize, 1, layerSeed(seed, dwName)),
      name: dwName,
    }),
    x,
  );
  x = bnSwish(x, `${name}bn`, `${name}activation`);

  let se = apply(tfl.layers.globalAveragePooling2d({ name: `${name}se_squeeze` }), x);
  se = apply(tfl.layers.reshape({ targetShape: [1, 1, filters], name: `${name}se_reshape` }), se);
  se = conv1x1(se, block.seFilters, `${name}se_reduce`, seed, 'swish');
  se = conv1x1(se, filters, `${name}se_expand`, seed, 'sigmoid');
  x = apply(tfl.layers.multiply({ name: `${name}se_excite` }), [x, se]);

  x = conv1x1(x, block.filtersOut, `${name}project_conv`, seed);
  x = bnSwish(x, `${name}project_bn`);
  if (!block.hasResidual) return x;
  if (block.dropRate > 0) {
    // Drop-connect drops whole samples' residual branches while training; at inference it is the identity.
    const noiseShape = [null, 1, 1, 1] as unknown as number[];
    x = apply(tfl.layers.dropout({ rate: block.dropRate, noiseShape, name: `${name}drop` }), x);
  }
  return apply(tfl.layers.add({ name: `${name}add` }), [x, inputs]);
}

function validateOptions(variant: string, options: EfficientNetOptions): void {
  assertVariant(variant);
  const { classes = 1000, pooling, inputShape, inputChannelScale } = options;
  if (!Number.isInteger(classes) || classes < 1) throw new Error(`classes must be a positive integer, got ${classes}`);
  if (pooling !== undefined && pooling !== 'avg' && pooling !== 'max') {
    throw new Error(`pooling must be 'avg', 'max' or undefined, got '${String(pooling)}'`);
  }
  if (inputShape !== undefined) {
    const [h, w, c] = inputShape;
    const badSide = [h, w].some((side) => side !== null && (!Number.isInteger(side) || side < 32));
    if (inputShape.length !== 3 || c !== 3 || badSide) {
      throw new Error(`inputShape must be [height ≥ 32 | null, width ≥ 32 | null, 3], got [${inputShape.join(', ')}]`);
    }
  }
  if (inputChannelScale !== undefined && inputChannelScale.length !== 3) {
    throw new Error(`inputChannelScale needs 3 factors (RGB), got ${inputChannelScale.length}`);
  }
}

/** Keras's stem: rescaling → normalization (→ rescaling_1) → stem_conv_pad → stem_conv → stem_bn → swish. */
function stem(input: SymbolicTensor, stemFilters: number, options: EfficientNetOptions, seed: number): SymbolicTensor {
  let x = apply(tfl.layers.rescaling({ scale: 1 / 255, name: 'rescaling' }), input);
  x = apply(new KerasNormalization({ name: 'normalization' }), x);
  if (options.inputChannelScale) {
    x = apply(new ChannelRescaling({ name: 'rescaling_1', scale: options.inputChannelScale }), x);
  }
  x = apply(tfl.layers.zeroPadding2d({ padding: correctPad(x, 3), name: 'stem_conv_pad' }), x);
  const conv = tfl.layers.conv2d({
    filters: stemFilters,
    kernelSize: 3,
    strides: 2,
    padding: 'valid',
    useBias: false,
    kernelInitializer: convInitializer(3, stemFilters, layerSeed(seed, 'stem_conv')),
    name: 'stem_conv',
  });
  return bnSwish(apply(conv, x), 'stem_bn', 'stem_activation');
}

/** avg_pool → top_dropout → predictions, with Keras's DENSE_KERNEL_INITIALIZER (VarianceScaling(1/3, fan_out, uniform)). */
function classifier(x: SymbolicTensor, classes: number, dropoutRate: number, seed: number): SymbolicTensor {
  x = apply(tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
  x = apply(tfl.layers.dropout({ rate: dropoutRate, name: 'top_dropout' }), x);
  const initializer = tfl.initializers.varianceScaling({
    scale: 1 / 3,
    mode: 'fanOut',
    distribution: 'uniform',
    seed: layerSeed(seed, 'predictions'),
  });
  return apply(
    tfl.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: initializer, name: 'predictions' }),
    x,
  );
}

/**
 * Builds `tf.keras.applications.EfficientNet{B0…B7}(weights=None)` with Keras's layer names and weight
 * shapes. Input: RGB floats in 0..255 (the model rescales and normalises itself).
 */
export function buildEfficientNet(variant: EfficientNetVariant, options: EfficientNetOptions = {}): tfl.LayersModel {
  validateOptions(variant, options);
  const { includeTop = false, classes = 1000, pooling, seed = 1 } = options;
  const plan = efficientNetPlan(variant);
  const size = VARIANT_SCALING[variant].imageSize;
  const inputShape = options.inputShape ?? (includeTop ? [size, size, 3] : [null, null, 3]);

  const input = tfl.input({ shape: inputShape, name: 'input_1' });
  let x = stem(input, plan.stemFilters, options, seed);
  for (const block of plan.blocks) x = mbConvBlock(x, block, seed);
  x = conv1x1(x, plan.topFilters, 'top_conv', seed);
  x = bnSwish(x, 'top_bn', 'top_activation');

  if (includeTop) x = classifier(x, classes, plan.topDropoutRate, seed);
  else if (pooling === 'avg') x = apply(tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
  else if (pooling === 'max') x = apply(tfl.layers.globalMaxPooling2d({ name: 'max_pool' }), x);
  return tfl.model({ inputs: input, outputs: x, name: `efficientnet${variant}` });
}
