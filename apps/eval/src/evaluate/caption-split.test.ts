import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadCaptionBundle, type ImageCaptioner } from '@imgcap/captioner/bundle';
import { readKarpathy, type ImageRecord } from '@imgcap/flickr-dataset';
import { readImageFile } from '@imgcap/image-io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSyntheticData, saveTinyBundle, useTestBackend } from '../test-helpers/tiny-run.js';
import { captionSplit } from './caption-split.js';

let root: string;
let captioner: ImageCaptioner;
let records: ImageRecord[];

beforeAll(async () => {
  await useTestBackend();
  root = await mkdtemp(join(tmpdir(), 'imgcap-caption-split-'));
  const dataDir = await makeSyntheticData(join(root, 'data'));
  await saveTinyBundle(dataDir, join(root, 'bundle'));
  captioner = await loadCaptionBundle(join(root, 'bundle'));
  records = (await readKarpathy(join(dataDir, 'dataset_synthetic.json'), join(dataDir, 'images'))).images.slice(0, 5);
});
afterAll(async () => {
  captioner.dispose();
  await rm(root, { recursive: true, force: true });
});

describe('captionSplit', () => {
  it('leaks no tensors over the whole batched captioning loop, greedy and beam', async () => {
    await captionSplit(captioner, records.slice(0, 1), { search: { beamWidth: 2 }, batchSize: 1, log: () => {} });
    const before = tf.memory().numTensors;
    for (const beamWidth of [1, 3]) {
      const { captioned } = await captionSplit(captioner, records, {
        search: { beamWidth },
        batchSize: 2,
        log: () => {},
      });
      expect(captioned).toHaveLength(5);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps each caption with its own image across batches and skips unreadable files by name', async () => {
    const broken = { ...records[1], id: 'missing.jpg', path: join(root, 'missing.jpg') };
    const input = [records[0], broken, records[2], records[3]];
    const lines: string[] = [];
    const result = await captionSplit(captioner, input, {
      search: { beamWidth: 1 },
      batchSize: 2,
      log: (line) => lines.push(line),
    });
    expect(result.captioned.map(({ record }) => record.id)).toEqual([records[0].id, records[2].id, records[3].id]);
    expect(result.skipped.map(({ id }) => id)).toEqual(['missing.jpg']);
    expect(lines.some((line) => line.startsWith('skipping image missing.jpg: missing_file'))).toBe(true);
    // Each caption is what the captioner gives that image alone: no mix-up between batch rows.
    const image = await readImageFile(records[3].path, { size: captioner.imageSize });
    const [alone] = await captioner.captionImages([image], { beamWidth: 1 });
    // logProb is continuous and image-dependent, so it tells rows apart even when an untrained model repeats words.
    expect(result.captioned[2].result.ids).toEqual(alone.ids);
    expect(result.captioned[2].result.logProb).toBeCloseTo(alone.logProb, 4);
    expect(result.captioned[1].result.logProb).not.toBeCloseTo(alone.logProb, 4);
    expect(result.seconds).toBeGreaterThan(0);
  });
});
