import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filterCaptions } from './filter.js';
import { loadDataset } from './load-dataset.js';
import type { Dataset } from './types.js';

const fixtures = join(import.meta.dirname, 'fixtures');

describe('loadDataset', () => {
  it('reports images, captions, splits and recovered rows', async () => {
    const { dataset, report } = await loadDataset({
      dataset: 'flickr30k',
      dataDir: join(fixtures, 'flickr30k'),
      splitFractions: { train: 0.5, val: 0.25, test: 0.25 },
    });
    expect(report).toMatchObject({ images: 4, captions: 20, recoveredRows: 1, splits: { train: 2, val: 1, test: 1 } });
    const idsBySplit = ['train', 'val', 'test'].map((s) =>
      dataset.images.filter((i) => i.split === s).map((i) => i.id),
    );
    const all = idsBySplit.flat();
    expect(new Set(all).size).toBe(all.length); // no image id in two splits
  });

  it('finds the one dataset_*.json for karpathy', async () => {
    await expect(loadDataset({ dataset: 'karpathy', dataDir: join(fixtures, 'karpathy') })).rejects.toThrow(
      /expected exactly one dataset_\*\.json \(or pass splitFile\), found 2/,
    );
    const { report } = await loadDataset({
      dataset: 'karpathy',
      dataDir: join(fixtures, 'karpathy'),
      splitFile: join(fixtures, 'karpathy', 'dataset_coco.json'),
    });
    expect(report.splits).toEqual({ train: 2, val: 0, test: 1 });
  });

  it('keeps a seeded subset with maxImages', async () => {
    const load = (seed: number) =>
      loadDataset({ dataset: 'flickr8k', dataDir: join(fixtures, 'flickr8k'), maxImages: 2, seed });
    const a = await load(1);
    expect(a.report.images).toBe(2);
    expect((await load(1)).dataset.images).toEqual(a.dataset.images);
  });

  it('names the bad dataset kind and the allowed ones', async () => {
    await expect(loadDataset({ dataset: 'coco' as 'flickr8k', dataDir: '.' })).rejects.toThrow(
      'dataset must be one of flickr30k, flickr8k, karpathy, synthetic, got "coco"',
    );
  });
});

describe('filterCaptions', () => {
  const dataset: Dataset = {
    name: 't',
    splitSource: 'seeded',
    recoveredRows: 0,
    unsplitImages: 0,
    images: [
      { id: 'a.jpg', path: '/a.jpg', split: 'train', captions: ['one two three .', 'one two three four'] },
      { id: 'b.jpg', path: '/b.jpg', split: 'val', captions: ['one two three four five'] },
    ],
  };

  it('drops captions whose words + 2 markers exceed seqLength and images left empty', () => {
    const result = filterCaptions(dataset, 5); // room for 3 words
    expect(result.filteredCaptions).toBe(2);
    expect(result.imagesWithoutCaptions).toEqual(['b.jpg']);
    expect(result.dataset.images).toEqual([{ ...dataset.images[0], captions: ['one two three .'] }]);
  });

  it('keeps a caption that fits exactly', () => {
    expect(filterCaptions(dataset, 7).filteredCaptions).toBe(0);
  });
});

describe('a dataset that is not there', () => {
  it('says where the dataset comes from and what layout the directory needs', async () => {
    await expect(loadDataset({ dataset: 'flickr30k', dataDir: '/no/such/flickr30k_images' })).rejects.toThrow(
      /results\.csv: not found\. Flickr30k: download the Kaggle dataset .* <data_dir>\/flickr30k_images\/\*\.jpg exist; see docs\/datasets\.md/,
    );
    await expect(loadDataset({ dataset: 'flickr8k', dataDir: '/no/such/flickr8k' })).rejects.toThrow(
      /Flickr8k\.token\.txt/,
    );
  });
});
