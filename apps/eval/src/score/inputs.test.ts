import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCandidates, parseReferences, readJsonFile } from './inputs.js';

const karpathy = {
  dataset: 'flickr30k',
  images: [
    { filename: '1.jpg', split: 'test', sentences: [{ raw: 'A dog runs.', tokens: ['a', 'dog', 'runs'] }] },
    { filename: '2.jpg', split: 'train', sentences: [{ raw: 'A cat.', tokens: ['a', 'cat'] }] },
  ],
};

describe('parseReferences', () => {
  it('reads an id → captions map as is', () => {
    expect(parseReferences({ a: ['x y', 'z'] }, 'R.json', undefined, true)).toEqual({ a: ['x y', 'z'] });
  });

  it('reads a Karpathy file keyed by filename, raw captions when tokenizing and tokens otherwise', () => {
    expect(parseReferences(karpathy, 'K.json', undefined, true)).toEqual({
      '1.jpg': ['A dog runs.'],
      '2.jpg': ['A cat.'],
    });
    expect(parseReferences(karpathy, 'K.json', 'test', false)).toEqual({ '1.jpg': ['a dog runs'] });
  });

  it('names the splits present when the requested split has no images', () => {
    expect(() => parseReferences(karpathy, 'K.json', 'val', true)).toThrow(
      'K.json: no images in split "val"; splits present: test, train',
    );
  });

  it('rejects --split on a plain map and malformed shapes, naming the file', () => {
    expect(() => parseReferences({ a: ['x'] }, 'R.json', 'test', true)).toThrow('--split test needs a Karpathy-format');
    expect(() => parseReferences({ a: 'x' }, 'R.json', undefined, true)).toThrow(
      'R.json: references of "a" must be an array',
    );
    expect(() => parseReferences(['x'], 'R.json', undefined, true)).toThrow('R.json: expected');
    expect(() => parseReferences({ images: [{ filename: 1 }] }, 'K.json', undefined, true)).toThrow(
      'K.json: images[0]',
    );
  });
});

describe('parseCandidates', () => {
  it('reads an id → caption map and COCO results with numeric ids', () => {
    expect(parseCandidates({ a: 'x' }, 'C.json')).toEqual({ a: 'x' });
    expect(parseCandidates([{ image_id: 42, caption: 'a dog' }], 'C.json')).toEqual({ '42': 'a dog' });
  });

  it('rejects a second caption for one image and malformed entries, naming the file', () => {
    const twice = [
      { image_id: 1, caption: 'a' },
      { image_id: '1', caption: 'b' },
    ];
    expect(() => parseCandidates(twice, 'C.json')).toThrow('C.json: image_id "1" has more than one caption');
    expect(() => parseCandidates([{ image_id: 1 }], 'C.json')).toThrow('C.json: [0] needs "image_id"');
    expect(() => parseCandidates({ a: ['x'] }, 'C.json')).toThrow('C.json: candidate of "a" must be a string');
    expect(() => parseCandidates('x', 'C.json')).toThrow('C.json: expected');
  });
});

describe('readJsonFile', () => {
  it('names the file when it is missing or not JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imgcap-eval-'));
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{ "a": [');
    await expect(readJsonFile(join(dir, 'missing.json'))).rejects.toThrow(`cannot read ${join(dir, 'missing.json')}`);
    await expect(readJsonFile(broken)).rejects.toThrow(`${broken} is not valid JSON`);
  });
});
