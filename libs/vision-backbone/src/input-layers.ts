// Keras's EfficientNet starts with preprocessing layers that tfjs-layers 4.22 lacks: a Normalization
// with non-trainable `mean`/`variance`/`count` weights (converted weight files carry them), and a
// per-channel Rescaling (tfjs's Rescaling takes one scalar only).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** ImageNet statistics on [0,1] pixels, the values Keras's ImageNet EfficientNet uses. */
export const IMAGENET_MEAN_RGB = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225] as const;
/** Keras backend.epsilon(): Normalization never divides by less than this. */
const KERAS_EPSILON = 1e-7;

type Kwargs = Record<string, unknown>;

/**
 * `keras.layers.Normalization(axis=-1)` at inference: (x − mean) / max(√variance, ε), with weights named
 * `mean`, `variance` (shape [channels]) and `count` (scalar) so converted Keras weights load by name.
 * Starts at ImageNet statistics rather than Keras's un-adapted identity, so a randomly initialised
 * backbone still sees centred inputs.
 */
export class KerasNormalization extends tfl.layers.Layer {
  static readonly className = 'Normalization';
  private mean!: tfl.LayerVariable;
  private variance!: tfl.LayerVariable;

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const channels = shape[shape.length - 1];
    if (channels !== 3)
      throw new Error(`Normalization expects 3 RGB channels, got input shape [${shape.map(String).join(', ')}]`);
    const variance = IMAGENET_STDDEV_RGB.map((s) => s * s);
    this.mean = this.addWeight('mean', [3], 'float32', tfl.initializers.zeros(), undefined, false);
    this.variance = this.addWeight('variance', [3], 'float32', tfl.initializers.ones(), undefined, false);
    this.addWeight('count', [], 'int32', tfl.initializers.zeros(), undefined, false);
    tf.tidy(() => {
      this.mean.write(tf.tensor1d([...IMAGENET_MEAN_RGB]));
      this.variance.write(tf.tensor1d(variance));
    });
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const scale = tf.maximum(tf.sqrt(this.variance.read()), KERAS_EPSILON);
      return tf.div(tf.sub(x, this.mean.read()), scale);
    });
  }
}
tf.serialization.registerClass(KerasNormalization);

export interface ChannelRescalingArgs {
  name: string;
  /** One factor per channel. */
  scale: number[];
}

/** `keras.layers.Rescaling(scale=[…])` with a per-channel scale; no weights. */
export class ChannelRescaling extends tfl.layers.Layer {
  static readonly className = 'ChannelRescaling';
  private readonly scale: number[];

  constructor(args: ChannelRescalingArgs) {
    super({ name: args.name });
    this.scale = [...args.scale];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => tf.mul(Array.isArray(inputs) ? inputs[0] : inputs, tf.tensor1d(this.scale)));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), scale: this.scale };
  }
}
tf.serialization.registerClass(ChannelRescaling);
