// Writes a seed-architecture model in the layout the Keras project's `model.save_weights("….h5")` has (Keras 2.13,
// subclassed model), so a model trained here loads back into the Keras project with `model.load_weights`: top-level
// groups for the CNN (a Functional model), the encoder block, the decoder block and the two metric trackers, each block's variables in the
// order its layers track them, named as Keras names them (auto-numbered sublayers; `run` > 0 numbers them as a
// later run in the same Python process would, which is how tests show the importer ignores those numbers).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { saveKerasWeightGroups, type KerasWeightGroup } from '@imgcap/vision-backbone';
import type { CaptionModel } from '../model/caption-model.js';

const PARTS = ['query', 'key', 'value', 'attention_output'];

/** Saves `model` (arch seed) and its EfficientNet `cnn` as the Keras project's captioning model's weights file. */
export async function saveSeedKerasWeights(
  model: CaptionModel,
  cnn: tfl.LayersModel,
  path: string,
  run = 0,
): Promise<void> {
  if (model.config.arch !== 'seed')
    throw new Error(`only the seed architecture has the Keras project's layout; this model is ${model.config.arch}`);
  const zero = tf.scalar(0);
  try {
    await saveKerasWeightGroups(path, seedWeightGroups(model, cnn, run, zero));
  } finally {
    zero.dispose();
  }
}

/** Keras's auto-numbering: the first instance has no suffix, the next `_1`, … */
const suffix = (index: number) => (index === 0 ? '' : `_${index}`);

/** The weights file's groups: the CNN, the encoder block and the decoder block, each in Keras's order. */
function seedWeightGroups(model: CaptionModel, cnn: tfl.LayersModel, run: number, zero: tf.Scalar): KerasWeightGroup[] {
  const value = (name: string) => {
    const weight = model.network.weights.find((w) => w.originalName === name);
    if (!weight) throw new Error(`no weight ${name}`);
    return weight.read();
  };
  const attention = (scope: string, from: string) =>
    PARTS.flatMap((p) =>
      ['kernel', 'bias'].map((k) => ({ name: `${scope}/${p}/${k}:0`, value: value(`${from}/${p}/${k}`) })),
    );
  const layer = (scope: string, from: string, keys: string[]) =>
    keys.map((k) => ({ name: `${scope}/${k}:0`, value: value(`${from}/${k}`) }));
  const norm = (scope: string, from: string) => layer(scope, from, ['gamma', 'beta']);
  const dense = (scope: string, from: string) => layer(scope, from, ['kernel', 'bias']);

  const enc = `transformer_encoder_block${suffix(run)}`;
  const dec = `transformer_decoder_block${suffix(run)}`;
  const n = run * 10; // later runs number their sublayers higher
  return [
    {
      layer: `model${suffix(run)}`,
      weights: cnn.layers.flatMap((l) =>
        l.weights.map((w) => ({ name: `${l.name}/${w.originalName.split('/').pop()}:0`, value: w.read() })),
      ),
    },
    {
      // attention_1, layernorm_1, layernorm_2, dense_1: the seed's TransformerEncoderBlock.__init__ order.
      layer: enc,
      weights: [
        ...attention(`${enc}/multi_head_attention${suffix(n)}`, 'encoder_block/self_attention'),
        ...norm(`${enc}/layer_normalization${suffix(n)}`, 'encoder_block/feature_norm'),
        ...norm(`${enc}/layer_normalization${suffix(n + 1)}`, 'encoder_block/self_attention_norm'),
        ...dense(`${enc}/dense${suffix(n)}`, 'encoder_block/feature_projection'),
      ],
    },
    {
      // attention_1, attention_2, ffn_layer_1, ffn_layer_2, layernorm_1..3, embedding, out.
      layer: dec,
      weights: [
        ...attention(`${dec}/multi_head_attention${suffix(n + 1)}`, 'decoder_block/self_attention'),
        ...attention(`${dec}/multi_head_attention${suffix(n + 2)}`, 'decoder_block/cross_attention'),
        ...dense(`${dec}/dense${suffix(n + 1)}`, 'decoder_block/feedforward_intermediate'),
        ...dense(`${dec}/dense${suffix(n + 2)}`, 'decoder_block/feedforward_output'),
        ...norm(`${dec}/layer_normalization${suffix(n + 2)}`, 'decoder_block/self_attention_norm'),
        ...norm(`${dec}/layer_normalization${suffix(n + 3)}`, 'decoder_block/cross_attention_norm'),
        ...norm(`${dec}/layer_normalization${suffix(n + 4)}`, 'decoder_block/feedforward_norm'),
        {
          name: `${dec}/positional_embedding${suffix(run)}/embedding${suffix(n)}/embeddings:0`,
          value: value('token_embedding/token_embedding/embeddings'),
        },
        {
          name: `${dec}/positional_embedding${suffix(run)}/embedding${suffix(n + 1)}/embeddings:0`,
          value: value('token_embedding/position_embedding/embeddings'),
        },
        ...dense(`${dec}/dense${suffix(n + 3)}`, 'logits'),
      ],
    },
    // Its loss and acc trackers (keras.metrics.Mean is a Layer in Keras 2, so load_weights counts them): their
    // running totals start at zero, as a freshly built model's do.
    ...['loss', 'acc'].map((metric) => ({
      layer: `${metric}${suffix(run)}`,
      weights: ['total', 'count'].map((v) => ({ name: `${metric}${suffix(run)}/${v}:0`, value: zero })),
    })),
  ];
}
