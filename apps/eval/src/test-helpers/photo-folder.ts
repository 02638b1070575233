import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

/** What `makePhotoFolder` wrote, as `eval caption-files` names the files when given the folder `dir`. */
export interface PhotoFolder {
  dir: string;
  /** Images that decode, relative to `dir`, in code-unit order. */
  good: string[];
  /** A `.jpg` holding text: listed as an image, fails to decode. */
  bad: string;
  /** Files in the folder that are not images a folder walk takes (a text file, a dot file). */
  ignored: string[];
}

/**
 * A folder of `count` photos copied from the synthetic dataset's images (nested folders, an upper-case extension, a
 * PNG, a name with a comma and quotes), plus a corrupt `.jpg` and files a folder walk must leave out.
 */
export async function makePhotoFolder(dataDir: string, dir: string, count = 8): Promise<PhotoFolder> {
  const sources = (await readdir(join(dataDir, 'images'))).filter((name) => name.endsWith('.jpg')).sort();
  const names = [
    'beach, "sunny" day.jpg',
    'a/cat.jpeg',
    'a/b/dog.JPG',
    'a/b/c/bird.png',
    ...Array.from({ length: Math.max(0, count - 4) }, (_, i) => `more/photo-${String(i).padStart(3, '0')}.jpg`),
  ].slice(0, count);
  for (const [i, name] of names.entries()) {
    const target = join(dir, name);
    await mkdir(dirname(target), { recursive: true });
    const source = join(dataDir, 'images', sources[i % sources.length]);
    if (name.endsWith('.png')) await sharp(source).png().toFile(target);
    else await copyFile(source, target);
  }
  await writeFile(join(dir, 'a', 'broken.jpg'), 'this is not a JPEG, just text\n');
  await writeFile(join(dir, 'notes.txt'), 'not an image');
  await writeFile(join(dir, '.hidden.jpg'), 'a dot file: left out');
  return {
    dir,
    good: names.sort(),
    bad: 'a/broken.jpg',
    ignored: ['notes.txt', '.hidden.jpg'],
  };
}
