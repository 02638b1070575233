import { join } from 'node:path';
import { CaptionModel, saveCaptionBundle } from '@imgcap/captioner';
import { selectBackend } from '@imgcap/tf-runtime';
import { WordTokenizer } from '@imgcap/tokenizer';

/** A real (randomly initialised) caption bundle: the whole model path runs, captions are arbitrary words. */
export async function writeTinyBundle(dir: string): Promise<string> {
  await selectBackend({ backend: 'wasm', log: () => {} });
  const tokenizer = WordTokenizer.fit(['a red circle on a white background', 'two blue squares', 'a small green triangle'], {
    vocabSize: 20,
  });
  const model = new CaptionModel({
    vocabSize: tokenizer.vocabSize,
    seqLength: 10,
    embedDim: 16,
    ffDim: 32,
    encHeads: 2,
    decHeads: 2,
    dropout: 0,
    backbone: 'patch8@32',
    imageSize: 32,
    featureShape: [16, 192],
  });
  const bundle = join(dir, 'bundle');
  await saveCaptionBundle(bundle, { model, tokenizer });
  model.dispose();
  return bundle;
}
