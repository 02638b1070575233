import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { saveCaptionBundle } from '@imgcap/captioner/bundle';
import { CaptionModel, type Architecture } from '@imgcap/captioner/model';
import { selectBackend } from '@imgcap/tf-runtime';
import { WordTokenizer } from '@imgcap/tokenizer';

/** A real (randomly initialised, seeded) caption bundle: the whole model path runs, captions are arbitrary words. */
export async function writeTinyBundle(dir: string, arch: Architecture = 'imgcap'): Promise<string> {
  await selectBackend({ backend: 'wasm', log: () => {} });
  const tokenizer = WordTokenizer.fit(
    ['a red circle on a white background', 'two blue squares', 'a small green triangle'],
    {
      vocabSize: 20,
    },
  );
  const model = new CaptionModel(
    {
      arch,
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
    },
    { seed: 7 },
  ); // seeded: the same words every run (an unseeded model sometimes ends every caption at once)
  const bundle = join(dir, arch === 'imgcap' ? 'bundle' : `bundle-${arch}`);
  await saveCaptionBundle(bundle, { model, tokenizer });
  model.dispose();
  return bundle;
}

/** Registers hooks that write a tiny bundle into a temp dir before the tests of the enclosing scope and remove it after. */
export function useTinyBundle(
  prefix: string,
  arch: Architecture = 'imgcap',
): { readonly dir: string; readonly bundle: string } {
  const fixture = { dir: '', bundle: '' };
  beforeAll(async () => {
    fixture.dir = await mkdtemp(join(tmpdir(), prefix));
    fixture.bundle = await writeTinyBundle(fixture.dir, arch);
  });
  afterAll(() => rm(fixture.dir, { recursive: true, force: true }));
  return fixture;
}
