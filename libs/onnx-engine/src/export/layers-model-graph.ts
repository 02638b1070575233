// A tfjs-layers image model (the EfficientNet backbone, as @imgcap/vision-backbone builds it) written as an
// ONNX graph: NHWC images in, the [N, H·W, C] feature grid out, NCHW inside (ONNX's Conv layout). Each layer
// class the backbone uses maps to a few ONNX nodes; any other class is refused by name.
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { GraphBuilder } from '../onnx/graph-builder.js';

/** Keras backend.epsilon(): Keras's Normalization never divides by less. */
const KERAS_EPSILON = 1e-7;

type Config = Record<string, unknown>;

/** A value in the graph: its name and whether it is a [N, C, H, W] map or a [N, C] vector. */
interface Value {
  name: string;
  rank: 2 | 4;
}

function pair(value: unknown): [number, number] {
  return (Array.isArray(value) ? value : [value, value]) as [number, number];
}

/** Row-major [a, b, c, d] → the axes in `perm` order (a 4-D transpose of a plain array). */
function transpose4d(values: Float32Array, shape: number[], perm: number[]): Float32Array {
  const strides = [shape[1]! * shape[2]! * shape[3]!, shape[2]! * shape[3]!, shape[3]!, 1];
  const [n0, n1, n2, n3] = perm.map((axis) => shape[axis]!) as [number, number, number, number];
  // The source stride of each output axis, so the inner loop is plain index arithmetic.
  const [s0, s1, s2, s3] = perm.map((axis) => strides[axis]!) as [number, number, number, number];
  const out = new Float32Array(values.length);
  let o = 0;
  for (let i = 0; i < n0; i++)
    for (let j = 0; j < n1; j++)
      for (let k = 0; k < n2; k++) for (let l = 0; l < n3; l++) out[o++] = values[i * s0 + j * s1 + k * s2 + l * s3]!;
  return out;
}

class LayerWriter {
  readonly g: GraphBuilder;

  constructor(name: string) {
    this.g = new GraphBuilder(name);
  }

  /** The layer's weights by the last part of their names (kernel, bias, gamma, moving_mean…). */
  weights(layer: tfl.layers.Layer): Map<string, { values: Float32Array; shape: number[] }> {
    const byName = new Map<string, { values: Float32Array; shape: number[] }>();
    const tensors = layer.getWeights();
    layer.weights.forEach((weight, i) => {
      const tensor = tensors[i] as tf.Tensor;
      const short = weight.originalName.split('/').pop()!;
      byName.set(short, { values: Float32Array.from(tensor.dataSync() as Float32Array), shape: [...tensor.shape] });
    });
    return byName;
  }

  perChannel(values: ArrayLike<number>): string {
    return this.g.constant(Array.from(values), 'float32', [1, values.length, 1, 1]);
  }

  activation(x: string, name: unknown, layer: string): string {
    switch (name) {
      case undefined:
      case null:
      case 'linear':
        return x;
      case 'relu':
        return this.g.op('Relu', [x]);
      case 'sigmoid':
        return this.g.op('Sigmoid', [x]);
      case 'swish':
        return this.g.op('Mul', [x, this.g.op('Sigmoid', [x])]);
      default:
        throw new Error(`layer ${layer}: activation ${JSON.stringify(name)} has no ONNX export`);
    }
  }

  conv(layer: tfl.layers.Layer, x: Value, depthwise: boolean): Value {
    const config = layer.getConfig() as Config;
    const weights = this.weights(layer);
    const kernel = weights.get(depthwise ? 'depthwise_kernel' : 'kernel');
    if (!kernel) throw new Error(`layer ${layer.name}: no kernel weight`);
    const [kh, kw, inChannels, last] = kernel.shape as [number, number, number, number];
    // tfjs [kh, kw, in, out] → ONNX [out, in, kh, kw]; depthwise [kh, kw, in, mult] → [in·mult, 1, kh, kw]
    // (TF's depthwise output channel c·mult + m is ONNX group c's output m).
    const values = transpose4d(kernel.values, kernel.shape, depthwise ? [2, 3, 0, 1] : [3, 2, 0, 1]);
    const shape = depthwise ? [inChannels * last, 1, kh, kw] : [last, inChannels, kh, kw];
    const inputs = [x.name, this.g.weight(`${layer.name}/kernel`, values, shape)];
    const bias = weights.get('bias');
    if (bias) inputs.push(this.g.weight(`${layer.name}/bias`, bias.values, bias.shape));
    const padding = config['padding'];
    if (padding !== 'same' && padding !== 'valid')
      throw new Error(`layer ${layer.name}: padding ${String(padding)} has no ONNX export`);
    const out = this.g.op('Conv', inputs, {
      kernel_shape: [kh, kw],
      strides: pair(config['strides']),
      dilations: pair(config['dilationRate'] ?? 1),
      group: depthwise ? inChannels : 1,
      // SAME_UPPER puts the odd padding pixel at the end, as TensorFlow's 'same' does.
      ...(padding === 'same' ? { auto_pad: { string: 'SAME_UPPER' } } : {}),
    });
    return { name: this.activation(out, config['activation'], layer.name), rank: 4 };
  }

  batchNorm(layer: tfl.layers.Layer, x: Value): Value {
    const config = layer.getConfig() as Config;
    const w = this.weights(layer);
    const channels = w.get('moving_mean')!.values.length;
    const gamma = w.get('gamma')?.values ?? new Float32Array(channels).fill(1);
    const beta = w.get('beta')?.values ?? new Float32Array(channels);
    const name = (part: string) => `${layer.name}/${part}`;
    const out = this.g.op(
      'BatchNormalization',
      [
        x.name,
        this.g.weight(name('gamma'), gamma, [channels]),
        this.g.weight(name('beta'), beta, [channels]),
        this.g.weight(name('moving_mean'), w.get('moving_mean')!.values, [channels]),
        this.g.weight(name('moving_variance'), w.get('moving_variance')!.values, [channels]),
      ],
      { epsilon: { float: Number(config['epsilon'] ?? 1e-3) } },
    );
    return { name: out, rank: x.rank };
  }
}

/** One layer's ONNX nodes, from its input values. */
function writeLayer(w: LayerWriter, layer: tfl.layers.Layer, inputs: Value[]): Value {
  const g = w.g;
  const config = layer.getConfig() as Config;
  const [x] = inputs as [Value, ...Value[]];
  switch (layer.getClassName()) {
    case 'Rescaling':
      return {
        name: g.op('Add', [
          g.op('Mul', [x.name, g.scalar(Number(config['scale']))]),
          g.scalar(Number(config['offset'] ?? 0)),
        ]),
        rank: x.rank,
      };
    case 'Normalization': {
      const weights = w.weights(layer);
      const mean = weights.get('mean')!.values;
      const inverse = Array.from(weights.get('variance')!.values, (v) => 1 / Math.max(Math.sqrt(v), KERAS_EPSILON));
      return { name: g.op('Mul', [g.op('Sub', [x.name, w.perChannel(mean)]), w.perChannel(inverse)]), rank: 4 };
    }
    case 'ChannelRescaling':
      return { name: g.op('Mul', [x.name, w.perChannel(config['scale'] as number[])]), rank: 4 };
    case 'ZeroPadding2D': {
      const [[top, bottom], [left, right]] = config['padding'] as [[number, number], [number, number]];
      return { name: g.op('Pad', [x.name, g.constant([0, 0, top, left, 0, 0, bottom, right], 'int64')]), rank: 4 };
    }
    case 'Conv2D':
      return w.conv(layer, x, false);
    case 'DepthwiseConv2D':
      return w.conv(layer, x, true);
    case 'BatchNormalization':
      return w.batchNorm(layer, x);
    case 'Activation':
      return { name: w.activation(x.name, config['activation'], layer.name), rank: x.rank };
    case 'GlobalAveragePooling2D':
      return { name: g.op('Flatten', [g.op('GlobalAveragePool', [x.name])], { axis: 1 }), rank: 2 };
    case 'Reshape': {
      const target = config['targetShape'] as number[];
      // [N, C] → Keras [N, 1, 1, C], which is [N, C, 1, 1] in NCHW (the squeeze-excite reshape).
      if (x.rank !== 2 || target.length !== 3 || target[0] !== 1 || target[1] !== 1) {
        throw new Error(
          `layer ${layer.name}: only [N, C] → [N, 1, 1, C] reshapes have an ONNX export, got [${target}]`,
        );
      }
      return { name: g.op('Unsqueeze', [x.name, g.constant([2, 3], 'int64')]), rank: 4 };
    }
    case 'Multiply':
      return { name: inputs.slice(1).reduce((acc, v) => g.op('Mul', [acc, v.name]), x.name), rank: 4 };
    case 'Add':
      return { name: inputs.slice(1).reduce((acc, v) => g.op('Add', [acc, v.name]), x.name), rank: x.rank };
    case 'Dropout':
      return x; // identity at inference
    default:
      throw new Error(`layer ${layer.name} (${layer.getClassName()}) has no ONNX export`);
  }
}

/**
 * `images` [batch, S, S, 3] (RGB 0..255, as the model takes them) → `features` [batch, H·W, C]: the model's
 * output feature map flattened row-major, as the feature extractor reshapes it.
 */
export function buildLayersModelGraph(model: tfl.LayersModel, imageSize: number): Uint8Array {
  const w = new LayerWriter('imgcap_backbone');
  const g = w.g;
  const [inputLayer] = model.inputLayers;
  if (model.inputLayers.length !== 1 || model.outputs.length !== 1 || !inputLayer) {
    throw new Error('only single-input, single-output backbones have an ONNX export');
  }
  const values = new Map<string, Value>();
  const images = g.input('images', 'float32', ['batch', imageSize, imageSize, 3]);
  values.set(inputLayer.name, { name: g.op('Transpose', [images], { perm: [0, 3, 1, 2] }), rank: 4 });
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    const node = layer.inboundNodes[0]!;
    const inputs = node.inboundLayers.map((inbound) => {
      const value = values.get(inbound.name);
      if (!value) throw new Error(`layer ${layer.name}: its input ${inbound.name} was not written yet`);
      return value;
    });
    values.set(layer.name, writeLayer(w, layer, inputs));
  }
  const outputLayer = model.outputs[0]!.sourceLayer;
  const out = values.get(outputLayer.name)!;
  const [, height, width, channels] = model.outputs[0]!.shape as [null, number, number, number];
  if (out.rank !== 4) throw new Error(`the backbone's output ${outputLayer.name} is not a feature map`);
  const nhwc = g.op('Transpose', [out.name], { perm: [0, 2, 3, 1] });
  const flat = g.op('Reshape', [nhwc, g.constant([0, height * width, channels], 'int64')]);
  g.output(flat, 'features', 'float32', ['batch', height * width, channels]);
  return g.toBytes();
}
