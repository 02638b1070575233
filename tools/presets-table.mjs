#!/usr/bin/env node
// Prints the README's model-size table from the presets, counted without building them (countModelParameters,
// tested equal to the built models): at the seed's vocabulary (10,000) and sequence length (36), each on the
// backbone its architecture trains on by default — the seed on EfficientNet-B1 at 224 px (7×7×1280), imgcap on
// B1 at 240 px (8×8×1280). The frozen backbone is counted apart and in the total, so the totals compare with
// the Keras project's saved models. Run after `npm run build` (`npm run presets` does both).
import { countModelParameters, PRESETS } from '@imgcap/captioner/model';
import { backboneSummary } from '@imgcap/vision-backbone';

const IMAGE_SIZE = { seed: 224, imgcap: 240 };
const count = (n) => n.toLocaleString('en-US');
const megabytes = (params) => `${((params * 4) / 1e6).toFixed(1)} MB`;

console.log(
  '| preset | arch | embed_dim | ff_dim | heads enc/dec | encoder | decoder | trained (float32) | + B1 backbone | total (float32) |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const [name, preset] of Object.entries(PRESETS)) {
  const backbone = backboneSummary({ kind: 'efficientnet', variant: 'b1', imageSize: IMAGE_SIZE[preset.arch] });
  const { encoder, decoder } = countModelParameters({
    arch: preset.arch,
    embedDim: preset.embedDim,
    ffDim: preset.ffDim,
    encHeads: preset.encHeads,
    decHeads: preset.decHeads,
    vocabSize: 10_000,
    seqLength: 36,
    dropout: 0,
    backbone: backbone.id,
    imageSize: backbone.imageSize,
    featureShape: backbone.featureShape,
  });
  const trained = encoder + decoder;
  const total = trained + backbone.parameters;
  const ff = preset.assumed?.ffDim ? `${preset.ffDim}*` : String(preset.ffDim);
  console.log(
    `| ${name} | ${preset.arch} | ${preset.embedDim} | ${ff} | ${preset.encHeads}/${preset.decHeads} | ${count(encoder)} | ${count(decoder)} | ` +
      `${count(trained)} (${megabytes(trained)}) | ${count(backbone.parameters)} @${backbone.imageSize} px | ${count(total)} (${megabytes(total)}) |`,
  );
}
console.log(
  '\n\\* not recorded by the Keras project: assumed (see `PRESETS` in libs/captioner/src/config.ts for why).',
);
