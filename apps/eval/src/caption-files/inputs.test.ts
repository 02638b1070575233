import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listInputs } from './inputs.js';

let root: string;

// Names only: listing never opens a file, so empty files stand in for images.
const files = [
  'photos/2019/b.jpg',
  'photos/2019/A.JPEG',
  'photos/2020/deep/c.PNG',
  'photos/2020/d.webp',
  'photos/e.avif',
  'photos/f.gif',
  'photos/g.tif',
  'photos/h.TIFF',
  'photos/notes.txt',
  'photos/.thumbs/x.jpg',
  'photos/._e.jpg',
  'literal/[weird] *name.jpg',
  'loose.jpg',
];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'imgcap-inputs-'));
  for (const file of files) {
    await mkdir(join(root, file, '..'), { recursive: true });
    await writeFile(join(root, file), '');
  }
  await symlink(join(root, 'photos', 'f.gif'), join(root, 'link-to-f.gif'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

const list = (inputs: string[], log?: (line: string) => void) => listInputs(inputs, { cwd: root, log });

describe('listInputs', () => {
  it('walks a folder recursively: image extensions in any case, no dot files or other files, sorted', async () => {
    const found = await list(['photos']);
    expect(found.map((f) => f.file)).toEqual([
      'photos/2019/A.JPEG',
      'photos/2019/b.jpg',
      'photos/2020/d.webp',
      'photos/2020/deep/c.PNG',
      'photos/e.avif',
      'photos/f.gif',
      'photos/g.tif',
      'photos/h.TIFF',
    ]);
    expect(found[3]).toEqual({
      file: 'photos/2020/deep/c.PNG',
      path: join(root, 'photos/2020/deep/c.PNG'),
      key: '2020/deep/c.PNG',
    });
  });

  it('expands quoted glob patterns, keyed relative to the pattern base, and keeps absolute patterns absolute', async () => {
    const found = await list(['photos/20*/**/*.{jpg,PNG}']);
    expect(found.map((f) => [f.file, f.key])).toEqual([
      ['photos/2019/b.jpg', '2019/b.jpg'],
      ['photos/2020/deep/c.PNG', '2020/deep/c.PNG'],
    ]);
    const absolute = await list([`${root}/photos/*.gif`]);
    expect(absolute).toEqual([{ file: join(root, 'photos/f.gif'), path: join(root, 'photos/f.gif'), key: 'f.gif' }]);
  });

  it('takes an existing path literally even when it looks like a pattern, and a named file whatever its extension', async () => {
    const found = await list(['literal/[weird] *name.jpg', 'photos/notes.txt', './loose.jpg']);
    expect(found.map((f) => [f.file, f.key])).toEqual([
      ['literal/[weird] *name.jpg', '[weird] *name.jpg'],
      ['loose.jpg', 'loose.jpg'],
      ['photos/notes.txt', 'notes.txt'],
    ]);
  });

  it('lists a file reached by several inputs once, under the name that sorts first, links included', async () => {
    const found = await list(['photos/f.gif', 'photos', 'photos/*.gif', `${root}/photos/f.gif`, 'link-to-f.gif']);
    const gifs = found.filter((f) => f.file.endsWith('.gif'));
    // By real path: the link is the same image.
    expect(gifs.map((f) => f.file)).toEqual([join(root, 'photos/f.gif')]);
    expect(found).toHaveLength(8);
  });

  it('walks a folder reached twice through links once, says so, and lists FIFOs and looping links for the reader to refuse', async () => {
    const tree = join(root, 'tree');
    await mkdir(join(tree, 'real', 'sub'), { recursive: true });
    await writeFile(join(tree, 'real', 'sub', 'a.jpg'), '');
    await symlink(join(tree, 'real'), join(tree, 'alias')); // the same folder twice
    await symlink('..', join(tree, 'real', 'sub', 'up')); // a loop
    await symlink(join(tree, 'loop.jpg'), join(tree, 'loop.jpg')); // a link to itself
    execFileSync('mkfifo', [join(tree, 'pipe.jpg')]);
    const lines: string[] = [];
    const found = await list(['tree'], (line) => lines.push(line));
    expect(found.map((f) => f.file)).toEqual(['tree/alias/sub/a.jpg', 'tree/loop.jpg', 'tree/pipe.jpg']);
    expect(lines).toEqual([
      'warning: tree/alias/sub/up is tree/alias again (through a symbolic link); walked once',
      'warning: tree/real is tree/alias again (through a symbolic link); walked once',
    ]);
  });

  it('refuses a missing path and a pattern that matches nothing, naming them', async () => {
    await expect(list(['nope'])).rejects.toThrow('input nope does not exist (not a file, folder or glob pattern)');
    await expect(list(['photos/*.bmp'])).rejects.toThrow('no images match the pattern photos/*.bmp');
  });

  it('warns about a folder without images and fails when nothing at all is left', async () => {
    await mkdir(join(root, 'empty'), { recursive: true });
    const lines: string[] = [];
    await expect(list(['empty'], (line) => lines.push(line))).rejects.toThrow('no images found in empty');
    expect(lines[0]).toMatch(/^warning: no images \(jpg, jpeg, .*\) under empty$/);
  });
});
