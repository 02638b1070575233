import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBackboneWeights } from './backbone-weights.js';
import type { BundleManifest } from './manifest.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imgcap-backbone-weights-'));
  await mkdir(join(dir, 'backbone', 'converted'), { recursive: true });
  await writeFile(join(dir, 'backbone', 'efficientnetb0_notop.h5'), 'weights written elsewhere');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const manifest = (id: string, weights: string | null, metadata: Record<string, unknown> = {}) =>
  ({ backbone: { id, imageSize: 64, weights }, metadata }) as unknown as BundleManifest;
const md5 = createHash('md5').update('weights written elsewhere').digest('hex');

describe("describeBackboneWeights: which weights a bundle's backbone carries", () => {
  it('says random, patches, converted, imported and unknown files apart (ImageNet is known by Keras’s MD5)', async () => {
    expect(await describeBackboneWeights(dir, manifest('efficientnet-b1@224-random', null))).toBe(
      'efficientnet-b1@224-random: seeded random initialisation, not ImageNet weights (its features carry little meaning)',
    );
    expect(await describeBackboneWeights(dir, manifest('patch8@64', null))).toBe(
      'patch8@64: raw pixel patches, no pretrained weights',
    );
    expect(await describeBackboneWeights(dir, manifest('efficientnet-b0@64', 'backbone/converted'))).toMatch(
      /tensorflowjs_converter \(backbone\/converted\/\)/,
    );
    const file = 'backbone/efficientnetb0_notop.h5';
    expect(await describeBackboneWeights(dir, manifest('efficientnet-b0@64', file))).toBe(
      `efficientnet-b0@64: weights from ${file} (MD5 ${md5}, not a file Keras publishes)`,
    );
    const imported = manifest('efficientnet-b0@64', file, { imported_from: { weights: 'model.h5' } });
    expect(await describeBackboneWeights(dir, imported)).toBe(
      `efficientnet-b0@64: the CNN of the imported Keras model model.h5 (${file}, MD5 ${md5})`,
    );
  });
});
