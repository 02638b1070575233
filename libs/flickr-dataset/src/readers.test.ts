import { cp, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DatasetFormatError } from './errors.js';
import { parseKaggleResults, readFlickr30kKaggle, readKaggleResults } from './flickr30k-kaggle.js';
import { parseFlickr8kTokens, readFlickr8k } from './flickr8k.js';
import { readKarpathy } from './karpathy.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const tempDirs: string[] = [];
async function tempCopy(fixture: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'imgcap-ds-'));
  tempDirs.push(dir);
  await cp(join(fixtures, fixture), dir, { recursive: true });
  return dir;
}
afterEach(async () => {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('readFlickr30kKaggle', () => {
  it('reads every caption, recovering the row without its second pipe', async () => {
    const dataset = await readFlickr30kKaggle(join(fixtures, 'flickr30k'));
    expect(dataset.images.map((i) => i.id)).toEqual([
      '1000092795.jpg',
      '10002456.jpg',
      '2199200615.jpg',
      '1007129816.jpg',
    ]);
    expect(dataset.images.every((i) => i.captions.length === 5)).toBe(true);
    expect(dataset.recoveredRows).toBe(1);
    expect(dataset.images[2].captions[4]).toBe('A dog runs across the grass .');
    expect(dataset.images[0].captions[1]).toBe('Two young , White males are outside near many bushes .');
    expect(dataset.images[0].path).toBe(join(fixtures, 'flickr30k', 'flickr30k_images', '1000092795.jpg'));
    expect(dataset.splitSource).toBe('seeded');
  });

  it('reads CRLF line endings the same way', () => {
    const text = 'image_name| comment_number| comment\r\na.jpg| 0| A dog .\r\na.jpg| 1 A cat .\r\n';
    const { table, recoveredRows } = parseKaggleResults(text, 'results.csv');
    expect(table.get('a.jpg')).toEqual(['A dog .', 'A cat .']);
    expect(recoveredRows).toBe(1);
  });

  it('uses a Karpathy split file as given and counts images it does not list', async () => {
    const dataset = await readFlickr30kKaggle(join(fixtures, 'flickr30k'), {
      splitFile: join(fixtures, 'karpathy', 'dataset_flickr30k.json'),
    });
    expect(dataset.images.map((i) => [i.id, i.split])).toEqual([
      ['1000092795.jpg', 'train'],
      ['10002456.jpg', 'val'],
      ['2199200615.jpg', 'test'],
    ]);
    expect(dataset.unsplitImages).toBe(1);
    expect(dataset.splitSource).toBe('file');
  });

  it('names the file and line of an unrecoverable row', () => {
    const text = 'image_name| comment_number| comment\na.jpg| 0| ok .\nb.jpg no pipes at all\n';
    expect(() => parseKaggleResults(text, '/d/results.csv')).toThrow(
      new DatasetFormatError(
        '/d/results.csv',
        `expected 'image_name| comment_number| comment', got "b.jpg no pipes at all"`,
        3,
      ),
    );
    expect(() => parseKaggleResults(text, '/d/results.csv')).toThrow(/^\/d\/results\.csv:3: /);
  });

  it('rejects a wrong header on line 1', () => {
    expect(() => parseKaggleResults('image,caption\n', 'r.csv')).toThrow(/^r\.csv:1: expected header/);
  });

  it('names a missing results.csv or images folder', async () => {
    await expect(readFlickr30kKaggle('/nonexistent')).rejects.toThrow('/nonexistent/results.csv: not found');
    await expect(readFlickr30kKaggle('/nonexistent')).rejects.toBeInstanceOf(DatasetFormatError);
    const dir = await tempCopy('flickr30k');
    await rm(join(dir, 'flickr30k_images'), { recursive: true });
    await expect(readFlickr30kKaggle(dir)).rejects.toThrow(`${join(dir, 'flickr30k_images')}: not found`);
  });
});

describe('readKarpathy', () => {
  it('reads images, splits and raw captions of the Flickr30k file', async () => {
    const dataset = await readKarpathy(join(fixtures, 'karpathy', 'dataset_flickr30k.json'), '/imgs');
    expect(dataset.name).toBe('flickr30k');
    expect(dataset.images.map((i) => i.split)).toEqual(['train', 'val', 'test']);
    expect(dataset.images[0]).toMatchObject({ id: '1000092795.jpg', path: '/imgs/1000092795.jpg' });
    expect(dataset.images[0].captions[1]).toBe('Two young, White males are outside near many bushes.');
  });

  it('reads the COCO variant: filepath folders, restval treated as train', async () => {
    const dataset = await readKarpathy(join(fixtures, 'karpathy', 'dataset_coco.json'), '/coco');
    expect(dataset.images.map((i) => [i.path, i.split])).toEqual([
      ['/coco/val2014/COCO_val2014_000000391895.jpg', 'test'],
      ['/coco/val2014/COCO_val2014_000000522418.jpg', 'train'],
      ['/coco/train2014/COCO_train2014_000000318556.jpg', 'train'],
    ]);
  });

  it('names the file, the entry and the allowed splits for a bad split', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imgcap-ds-'));
    tempDirs.push(dir);
    const file = join(dir, 'd.json');
    await writeFile(file, JSON.stringify({ images: [{ filename: 'x.jpg', split: 'dev', sentences: [] }] }));
    await expect(readKarpathy(file, dir)).rejects.toThrow(
      `${file}: images[0].split must be one of train, val, test, restval, got "dev" (x.jpg)`,
    );
  });

  it('names the line of invalid JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imgcap-ds-'));
    tempDirs.push(dir);
    const file = join(dir, 'd.json');
    await writeFile(file, '{"images": [\n{"filename": "a.jpg",\n oops}]}');
    await expect(readKarpathy(file, dir)).rejects.toThrow(new RegExp(`^${file}:3: invalid JSON`));
  });
});

describe('readFlickr8k', () => {
  it('reads captions and the train/dev/test lists (dev → val)', async () => {
    const dataset = await readFlickr8k(join(fixtures, 'flickr8k'));
    expect(dataset.images.map((i) => [i.id, i.split, i.captions.length])).toEqual([
      ['1000268201_693b08cb0e.jpg', 'train', 5],
      ['1001773457_577c3a7d70.jpg', 'train', 5],
      ['1002674143_1b742ab4b8.jpg', 'val', 5],
      ['1003163366_44323f5815.jpg', 'test', 5],
    ]);
    expect(dataset.images[1].captions[0]).toBe('A black dog and a spotted dog are fighting');
    expect(dataset.images[0].path).toBe(join(fixtures, 'flickr8k', 'Flicker8k_Dataset', '1000268201_693b08cb0e.jpg'));
  });

  it('accepts Images/ instead of Flicker8k_Dataset/, and splits by image without lists', async () => {
    const dir = await tempCopy('flickr8k');
    await rename(join(dir, 'Flicker8k_Dataset'), join(dir, 'Images'));
    for (const list of ['train', 'dev', 'test']) await rm(join(dir, `Flickr_8k.${list}Images.txt`));
    const dataset = await readFlickr8k(dir);
    expect(dataset.images[0].path).toBe(join(dir, 'Images', '1000268201_693b08cb0e.jpg'));
    expect(dataset.splitSource).toBe('seeded');
    expect(dataset.images).toHaveLength(4);
  });

  it('names the file and line of a malformed token line', () => {
    expect(() => parseFlickr8kTokens('a.jpg#0\tA dog .\na.jpg#1 no tab\n', 'Flickr8k.token.txt')).toThrow(
      /^Flickr8k\.token\.txt:2: expected 'IMAGE\.jpg#N<TAB>caption', got "a\.jpg#1 no tab"$/,
    );
  });

  it('names a missing images folder', async () => {
    const dir = await tempCopy('flickr8k');
    await rm(join(dir, 'Flicker8k_Dataset'), { recursive: true });
    await expect(readFlickr8k(dir)).rejects.toThrow(`${join(dir, 'Flicker8k_Dataset')}: not found (nor Images/)`);
  });
});

describe('results.csv streamed', () => {
  it('reads a file line by line as the text parser does: BOM, CRLF, lines across read chunks, the missing pipe', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imgcap-stream-'));
    try {
      const rows = Array.from(
        { length: 5000 },
        (_, i) => `${1000 + Math.floor(i / 5)}.jpg| ${i % 5}| a dog ${'runs '.repeat(i % 40)}number ${i} .`,
      );
      rows[17] = '1003.jpg| 2   A dog runs across the grass .';
      const text = `\uFEFFimage_name| comment_number| comment\r\n${rows.join('\r\n')}\r\n`;
      const file = join(dir, 'results.csv');
      await writeFile(file, text);
      const streamed = await readKaggleResults(file);
      const parsed = parseKaggleResults(text.replace(/^\uFEFF/, ''), file);
      expect(streamed.recoveredRows).toBe(1);
      expect([...streamed.table]).toEqual([...parsed.table]);
      expect(streamed.table.size).toBe(1000);
      await expect(readKaggleResults(join(dir, 'absent.csv'))).rejects.toThrow(/absent\.csv: not found/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
