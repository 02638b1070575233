import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadImageBatch, type SkippedImage } from './image-batch.js';

const good = join(import.meta.dirname, 'fixtures', 'flickr30k', 'flickr30k_images', '1000092795.jpg');
const dir = await mkdtemp(join(tmpdir(), 'imgcap-img-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('loadImageBatch', () => {
  it('decodes images to RGB at the requested size', async () => {
    const { images, skipped } = await loadImageBatch([{ id: 'good.jpg', path: good }], 8);
    expect(skipped).toEqual([]);
    expect(images).toHaveLength(1);
    expect(images[0]).toMatchObject({ id: 'good.jpg', width: 8, height: 8 });
    expect(images[0].data).toHaveLength(8 * 8 * 3);
  });

  it('skips missing and corrupt images by name, warns, and keeps the rest', async () => {
    const corrupt = join(dir, 'corrupt.jpg');
    await writeFile(corrupt, 'this is not a jpeg');
    const warnings: SkippedImage[] = [];
    const batch = await loadImageBatch(
      [
        { id: 'missing.jpg', path: join(dir, 'missing.jpg') },
        { id: 'good.jpg', path: good },
        { id: 'corrupt.jpg', path: corrupt },
      ],
      { width: 6, height: 4 },
      { onWarning: (_message, skipped) => warnings.push(skipped) },
    );
    expect(batch.images.map((i) => i.id)).toEqual(['good.jpg']);
    expect(batch.skipped.map((s) => s.id)).toEqual(['missing.jpg', 'corrupt.jpg']);
    expect(batch.skipped[0].reason).toBe('missing_file: file not found'); // the id names the file; the reason does not again
    expect(batch.skipped[1].reason).toMatch(/^unsupported_image: The bytes are not an image/);
    expect(warnings).toEqual(batch.skipped);
  });

  it('still throws for a caller error such as an invalid size', async () => {
    await expect(loadImageBatch([{ id: 'good.jpg', path: good }], 0)).rejects.toThrow(
      /size must be a positive integer/,
    );
  });
});
