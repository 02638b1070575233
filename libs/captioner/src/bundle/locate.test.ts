import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateCaptionBundle } from './locate.js';

describe('locateCaptionBundle', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'imgcap-locate-'));
    await mkdir(join(root, 'run', 'bundle'), { recursive: true });
    await writeFile(join(root, 'run', 'bundle', 'bundle.json'), '{}');
    await mkdir(join(root, 'empty'));
    await writeFile(join(root, 'file.txt'), 'not a dir');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('takes a bundle directory as it is and a training run through its bundle/', async () => {
    expect(await locateCaptionBundle(join(root, 'run', 'bundle'))).toEqual({
      modelDir: join(root, 'run', 'bundle'),
      bundleDir: join(root, 'run', 'bundle'),
    });
    expect(await locateCaptionBundle(join(root, 'run'))).toEqual({
      modelDir: join(root, 'run'),
      bundleDir: join(root, 'run', 'bundle'),
    });
  });

  it('names the directory, and both places it looked, when there is no bundle', async () => {
    await expect(locateCaptionBundle(join(root, 'missing'))).rejects.toThrow(
      `model directory ${join(root, 'missing')} does not exist or is not a directory`,
    );
    await expect(locateCaptionBundle(join(root, 'file.txt'))).rejects.toThrow(/does not exist or is not a directory/);
    await expect(locateCaptionBundle(join(root, 'empty'))).rejects.toThrow(
      `${join(root, 'empty')} is neither a caption bundle nor a training run with a bundle: looked for ${join(root, 'empty', 'bundle.json')} and ${join(root, 'empty', 'bundle', 'bundle.json')}`,
    );
  });
});
