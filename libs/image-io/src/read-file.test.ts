import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { readImageFile, ImageDecodeError } from './index.js';
import { IMAGE_FIXTURES_DIR, imageFixturePath } from './test-helpers/fixtures.js';

describe('readImageFile', () => {
  it('decodes a file from disk', async () => {
    const image = await readImageFile(imageFixturePath('png'), { size: 16 });
    expect(image).toMatchObject({ width: 16, height: 16, format: 'png', originalWidth: 96 });
  });

  it('reports a missing file as not_found naming the path', async () => {
    const path = join(IMAGE_FIXTURES_DIR, 'no-such-image.jpg');
    const error = await readImageFile(path).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ImageDecodeError);
    expect(error).toMatchObject({ code: 'not_found', path, message: `Image file not found: ${path}` });
  });

  it('prefixes decode refusals with the path', async () => {
    const path = imageFixturePath('truncatedBodyJpeg');
    const error = await readImageFile(path).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'truncated', path });
    expect((error as Error).message.startsWith(`${path}: `)).toBe(true);
  });
});
