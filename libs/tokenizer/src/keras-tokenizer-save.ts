// Writes a `KerasTextVectorizer` as the `tokenizer.keras` the Keras project saves (Keras 2.13's v3 format, as the
// seed's s_tokenizer.keras is): a stored (uncompressed) zip of metadata.json, config.json (a Sequential holding the
// InputLayer and the TextVectorization), model.weights.h5 (groups only: the layer has no variables) and the
// vocabulary asset twice, for the layer and its inner StringLookup, one token per line joined by "\n" as Keras's
// `save_assets` writes it. `keras.models.load_model("tokenizer.keras")` reads it back.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync, type Zippable } from 'fflate';
import h5wasm from 'h5wasm/node';
import type { KerasTextVectorizer } from './keras-text-vectorization.js';

const LAYER = 'text_vectorization';
const ASSETS = `assets/_layer_checkpoint_dependencies/${LAYER}`;

/** config.json: the seed's Sequential, with this tokenizer's settings. */
function kerasConfig(tokenizer: KerasTextVectorizer): unknown {
  return {
    module: 'keras',
    class_name: 'Sequential',
    config: {
      name: 'sequential',
      layers: [
        {
          module: 'keras.layers',
          class_name: 'InputLayer',
          // float32, as in the seed's own file: its Sequential was built on keras.Input(shape=(1,)).
          config: { batch_input_shape: [null, 1], dtype: 'float32', sparse: false, ragged: false, name: 'input_1' },
          registered_name: null,
        },
        {
          module: 'keras.layers',
          class_name: 'TextVectorization',
          config: {
            name: LAYER,
            trainable: true,
            dtype: 'string',
            batch_input_shape: [null],
            max_tokens: tokenizer.vocabSize,
            standardize: tokenizer.standardize,
            split: 'whitespace',
            ngrams: null,
            output_mode: 'int',
            output_sequence_length: tokenizer.outputSequenceLength,
            pad_to_max_tokens: false,
            sparse: false,
            ragged: false,
            vocabulary: null,
            idf_weights: null,
            encoding: 'utf-8',
            vocabulary_size: tokenizer.vocabSize,
          },
          registered_name: null,
          build_config: { input_shape: [null] },
        },
      ],
    },
    registered_name: null,
    build_config: { input_shape: [null, 1] },
  };
}

/** model.weights.h5 as Keras 2.13's H5IOStore leaves it for this model: a `vars` group per object, all empty. */
async function emptyWeightsFile(): Promise<Uint8Array> {
  // HDF5's errors thrown, not printed (h5wasm's default prints HDF5-DIAG lines to stderr).
  (await h5wasm.ready).activate_throwing_error_handler();
  const dir = await mkdtemp(join(tmpdir(), 'imgcap-tokenizer-'));
  try {
    const path = join(dir, 'model.weights.h5');
    const file = new h5wasm.File(path, 'w');
    try {
      file.create_group('vars');
      const layer = file.create_group('_layer_checkpoint_dependencies').create_group(LAYER);
      layer.create_group('vars');
      layer.create_group('_lookup_layer').create_group('vars');
    } finally {
      file.close();
    }
    return new Uint8Array(await readFile(path));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Saves `tokenizer` as a Keras `.keras` archive at `path` (replaced). */
export async function saveKerasTokenizer(
  tokenizer: KerasTextVectorizer,
  path: string,
  now: Date = new Date(),
): Promise<void> {
  const vocabulary = Array.from({ length: tokenizer.vocabSize }, (_, id) => tokenizer.idToWord(id));
  const stamp = now.toISOString().slice(0, 19).replace('T', '@');
  const stored = { level: 0 } as const;
  const asset = strToU8(vocabulary.join('\n'));
  const files: Zippable = {
    'metadata.json': [strToU8(JSON.stringify({ keras_version: '2.13.1', date_saved: stamp })), stored],
    'config.json': [strToU8(JSON.stringify(kerasConfig(tokenizer))), stored],
    'model.weights.h5': [await emptyWeightsFile(), stored],
    [`${ASSETS}/vocabulary.txt`]: [asset, stored],
    [`${ASSETS}/_lookup_layer/vocabulary.txt`]: [asset, stored],
  };
  await writeFile(path, zipSync(files));
}
