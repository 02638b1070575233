import { selectBackend } from '@imgcap/tf-runtime';
import { CaptionModel, PRESETS } from '@imgcap/captioner';
await selectBackend({ backend: 'wasm', log: () => {} });
for (const [name, shape] of Object.entries(PRESETS)) {
  const m = new CaptionModel({ vocabSize: 10000, seqLength: 36, dropout: 0.1, backbone: 'efficientnet-b1@240', imageSize: 240, featureShape: [64, 1280], ...shape });
  const p = m.countParams();
  console.log(`| ${name} | ${shape.embedDim} | ${shape.ffDim} | ${shape.encHeads}/${shape.decHeads} | ${p.toLocaleString('en-US')} | ${(p * 4 / 1024 / 1024).toFixed(1)} MB |`);
  m.dispose();
}
