import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '@imgcap/flickr-dataset';
import type { DataSplitRecord } from '@imgcap/captioner/bundle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSyntheticData } from '../test-helpers/tiny-run.js';
import { heldOutRecords } from './held-out.js';
import type { EvaluateSettings } from './options.js';

let root: string;
let dataDir: string;
let ids: string[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'imgcap-held-out-'));
  dataDir = await makeSyntheticData(join(root, 'data'));
  ids = (await loadDataset({ dataset: 'synthetic', dataDir })).dataset.images.map((image) => image.id).sort();
});
afterAll(() => rm(root, { recursive: true, force: true }));

const settings = (overrides: Partial<EvaluateSettings> = {}): EvaluateSettings =>
  ({
    model: root,
    dataset: 'synthetic',
    dataDir,
    split: 'test',
    beam: 1,
    lengthPenalty: 1,
    noRepeatNgramSize: 0,
    batchSize: 8,
    examples: 0,
    engine: 'tfjs',
    allowTrainingImages: false,
    ...overrides,
  }) as EvaluateSettings;

/** A bundle directory holding only what heldOutRecords reads: the model's recorded split. */
async function bundleWith(name: string, record: DataSplitRecord | null): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  if (record) await writeFile(join(dir, 'data-split.json'), JSON.stringify(record));
  return dir;
}

// The model trained on every image but the last four (its own seeded split, not the dataset file's).
const record = (): DataSplitRecord => ({
  dataset: 'synthetic',
  source: 'seeded',
  seed: 42,
  splitFile: null,
  images: { train: ids.slice(0, -4), val: ids.slice(-4, -2), test: ids.slice(-2) },
});

describe('the images eval scores', () => {
  it("are by default the model's own held-out images, as its bundle recorded them", async () => {
    const lines: string[] = [];
    const { records, facts } = await heldOutRecords(settings(), await bundleWith('recorded', record()), (l) =>
      lines.push(l),
    );
    expect(records.map((r) => r.id).sort()).toEqual(ids.slice(-2));
    expect(facts).toEqual({ source: "the model's recorded split (seeded 42)", overlap_with_training: 0 });
  });

  it('are refused when another split would score training images, naming the count and the way out', async () => {
    const dir = await bundleWith('recorded-2', record());
    // The dataset file's test split: most of those images were training images of this model.
    await expect(
      heldOutRecords(settings({ splitFile: join(dataDir, 'dataset_synthetic.json') }), dir, () => {}),
    ).rejects.toThrow(
      /\d+ of the \d+ test images \(split file .*\) are training images of this model: their scores would be inflated\. Drop --seed\/--split_file/,
    );
    const lines: string[] = [];
    const { facts } = await heldOutRecords(
      settings({ splitFile: join(dataDir, 'dataset_synthetic.json'), allowTrainingImages: true }),
      dir,
      (l) => lines.push(l),
    );
    expect(facts.overlap_with_training).toBeGreaterThan(0);
    expect(lines.join('\n')).toMatch(/WARNING: .*training images of this model; scoring them anyway/);
  });

  it('come with a warning when the bundle records no split (older bundles)', async () => {
    const lines: string[] = [];
    const { facts } = await heldOutRecords(settings(), await bundleWith('unrecorded', null), (l) => lines.push(l));
    expect(facts.overlap_with_training).toBeNull();
    expect(lines.join('\n')).toMatch(/warning: .* records no training split/);
  });
});
