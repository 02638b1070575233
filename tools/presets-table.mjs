#!/usr/bin/env node
// Prints the README's model-size table: trainable parameters (encoder + decoder; the frozen backbone is not
// counted) and float32 weight-file size of each preset at the seed's vocabulary (10,000) and sequence length (36)
// on EfficientNet-B1 features (240 px → 8×8 grid × 1280 channels). Run after `npm run build`.
import { selectBackend } from '@imgcap/tf-runtime';
import { CaptionModel, PRESETS } from '@imgcap/captioner';

await selectBackend({ backend: 'cpu', log: () => {} });
console.log('| preset | embed_dim | ff_dim | heads enc/dec | parameters | weights (float32) |');
console.log('|---|---|---|---|---|---|');
for (const [name, shape] of Object.entries(PRESETS)) {
  const model = new CaptionModel({
    vocabSize: 10_000, seqLength: 36, dropout: 0.1, backbone: 'efficientnet-b1@240', imageSize: 240, featureShape: [64, 1280], ...shape,
  });
  const params = model.countParams();
  console.log(`| ${name} | ${shape.embedDim} | ${shape.ffDim} | ${shape.encHeads}/${shape.decHeads} | ${params.toLocaleString('en-US')} | ${((params * 4) / 1e6).toFixed(1)} MB |`);
  model.dispose();
}
