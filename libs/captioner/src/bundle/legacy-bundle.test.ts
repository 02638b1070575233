import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestBackend } from '../test-helpers/tiny-model.js';
import { loadCaptionBundle } from './bundle.js';
import type { CaptionResult } from '../pipeline/image-captioner.js';

beforeAll(useTestBackend);

// Written by imgcap before architectures existed (commit 5994139, config without `arch`), with the captions and
// attention it gave then (fixtures/bundle-v1-imgcap.expected.json). It must load as imgcap and caption the same.
const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

describe('a bundle written before --arch existed', () => {
  it('loads as the imgcap architecture and gives the captions, scores and attention it gave then', async () => {
    const expected = JSON.parse(await readFile(join(FIXTURES, 'bundle-v1-imgcap.expected.json'), 'utf8'));
    const captioner = await loadCaptionBundle(join(FIXTURES, 'bundle-v1-imgcap'));
    expect(captioner.architecture).toBe('imgcap');
    const images = [0, 1, 2].map((i) => ({
      width: 8,
      height: 8,
      data: Uint8Array.from({ length: 192 }, (_, j) => (j * 37 + i * 101) % 256),
    }));
    for (const beamWidth of [1, 3]) {
      const captions = await captioner.captionImages(images, { beamWidth });
      // Written when results kept their ids as `tokens`.
      const want = expected[`beam${beamWidth}`] as (Omit<CaptionResult, 'ids'> & { tokens: number[] })[];
      expect(captions.map((c) => c.ids)).toEqual(want.map((c) => c.tokens));
      expect(captions.map((c) => c.caption)).toEqual(want.map((c) => c.caption));
      captions.forEach((c, i) => {
        expect(c.logProb).toBeCloseTo(want[i]!.logProb, 5);
        c.attention.flat().forEach((a, j) => expect(a).toBeCloseTo(want[i]!.attention.flat()[j]!, 5));
      });
    }
    captioner.dispose();
  });
});
