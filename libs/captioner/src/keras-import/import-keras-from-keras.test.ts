// import-keras on the Keras project's own layout, written by h5py following Keras 2.13's save_weights
// (libs/vision-backbone/src/fixtures/keras-h5/generate.py): a subclassed model's groups per tracked layer — the CNN
// (a Functional model), the encoder and decoder blocks with nested weight names, an empty image_aug Sequential, the
// loss/acc Mean trackers and Keras 2.13's empty top_level_model_weights.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildEfficientNet, readKerasWeightsFile, type KerasLayerWeights } from '@imgcap/vision-backbone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundleParts, loadCaptionBundle, readBundleManifest } from '../bundle/bundle.js';
import { CaptionModel } from '../model/caption-model.js';
import { SEED_FILES, SEED_KERAS_CONFIG, SEED_TRIAL } from '../test-helpers/seed-keras.js';
import { useTestBackend } from '../test-helpers/tiny-model.js';
import { importKerasCaptioner } from './import-keras-model.js';
import { saveSeedKerasWeights } from './save-seed-keras-weights.js';

/** Which Keras weight becomes which seed-architecture weight, written out by hand from the seed's classes. */
const ENC = 'transformer_encoder_block';
const DEC = 'transformer_decoder_block';
const ATTENTION = ['query', 'key', 'value', 'attention_output'].flatMap((p) => [`${p}/kernel`, `${p}/bias`]);
const NORM = ['gamma', 'beta'];
const DENSE = ['kernel', 'bias'];
/** Keras sublayer → seed-architecture sublayer, and the variables they share. */
const SUBLAYERS: Array<[string, string, string[]]> = [
  [`${ENC}/multi_head_attention`, 'encoder_block/self_attention', ATTENTION],
  [`${ENC}/layer_normalization`, 'encoder_block/feature_norm', NORM],
  [`${ENC}/layer_normalization_1`, 'encoder_block/self_attention_norm', NORM],
  [`${ENC}/dense`, 'encoder_block/feature_projection', DENSE],
  [`${DEC}/multi_head_attention_1`, 'decoder_block/self_attention', ATTENTION],
  [`${DEC}/multi_head_attention_2`, 'decoder_block/cross_attention', ATTENTION],
  [`${DEC}/dense_1`, 'decoder_block/feedforward_intermediate', DENSE],
  [`${DEC}/dense_2`, 'decoder_block/feedforward_output', DENSE],
  [`${DEC}/layer_normalization_2`, 'decoder_block/self_attention_norm', NORM],
  [`${DEC}/layer_normalization_3`, 'decoder_block/cross_attention_norm', NORM],
  [`${DEC}/layer_normalization_4`, 'decoder_block/feedforward_norm', NORM],
  [`${DEC}/positional_embedding/embedding`, 'token_embedding/token_embedding', ['embeddings']],
  [`${DEC}/positional_embedding/embedding_1`, 'token_embedding/position_embedding', ['embeddings']],
  [`${DEC}/dense_3`, 'logits', DENSE],
];
const MAPPING = SUBLAYERS.flatMap(([keras, ours, variables]) =>
  variables.map((v): [string, string] => [`${keras}/${v}`, `${ours}/${v}`]),
);

let dir: string;
let weights: string;
let config: string;
let stored: KerasLayerWeights;
beforeAll(async () => {
  await useTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'imgcap-keras-seed-'));
  weights = join(dir, 'model.h5');
  await writeFile(
    weights,
    gunzipSync(await readFile(join(import.meta.dirname, 'fixtures', 'seed_model_weights.h5.gz'))),
  );
  config = join(dir, 'trial_config.json');
  await writeFile(config, JSON.stringify(SEED_TRIAL));
  stored = await readKerasWeightsFile(weights);
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const storedValues = (group: string, name: string) =>
  Array.from(stored.get(group)!.find((v) => v.fullName === `${name}:0`)!.values);

describe("import-keras on the seed's save_weights layout as Keras 2.13 writes it (h5py fixture)", () => {
  it('maps every encoder and decoder tensor to its place, and keeps the CNN, skipping the metrics and empty groups', async () => {
    expect([...stored.keys()]).toEqual(['model', ENC, DEC, 'loss', 'acc', 'sequential']);
    const out = join(dir, 'bundle');
    await importKerasCaptioner({ weights, config, tokenizer: join(SEED_FILES, 's_tokenizer.keras') }, out);
    const parts = await loadBundleParts(out);
    const network = parts.model.network.weights;
    expect(network).toHaveLength(MAPPING.length);
    for (const [keras, ours] of MAPPING) {
      const weight = network.find((w) => w.originalName === ours);
      expect(weight, ours).toBeDefined();
      const group = keras.startsWith(ENC) ? ENC : DEC;
      expect(Array.from(weight!.read().dataSync()), `${keras} → ${ours}`).toEqual(storedValues(group, keras));
    }
    const manifest = await readBundleManifest(out);
    expect(manifest.config).toMatchObject({ arch: 'seed', backbone: 'efficientnet-b0@64', featureShape: [4, 1280] });
    const cnn = await readKerasWeightsFile(join(out, manifest.backbone.weights!));
    for (const [layer, weight] of [
      ['stem_conv', 'kernel'],
      ['block6d_se_expand', 'bias'],
      ['top_bn', 'moving_variance'],
    ]) {
      const copied = cnn.get(layer)!.find((v) => v.name === weight)!;
      expect(Array.from(copied.values)).toEqual(storedValues('model', `${layer}/${weight}`));
    }
    parts.model.dispose();
    parts.backbone.dispose();
    const captioner = await loadCaptionBundle(out);
    const [result] = await captioner.captionImages([
      { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3).fill(90) },
    ]);
    expect(result!.ids.length).toBeGreaterThan(0);
    captioner.dispose();
  }, 120_000);

  it('writes a model trained here in exactly that layout: the same groups, in order, with the same weight names and shapes', async () => {
    const model = new CaptionModel(SEED_KERAS_CONFIG);
    const cnn = buildEfficientNet('b0', { inputShape: [64, 64, 3] });
    const ours = join(dir, 'ours.h5');
    await saveSeedKerasWeights(model, cnn, ours);
    model.dispose();
    cnn.dispose();
    const layout = (layers: KerasLayerWeights) =>
      [...layers]
        .filter(([, v]) => v.length > 0)
        .map(([group, v]) => [group, v.map((w) => `${w.fullName} ${w.shape.join('x')}`)]);
    expect(layout(await readKerasWeightsFile(ours))).toEqual(layout(stored));
  }, 60_000);
});
