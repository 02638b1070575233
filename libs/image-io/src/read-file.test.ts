import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { join } from 'node:path';
import { readImageFile, ImageDecodeError, IMAGE_ERRORS } from './index.js';
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
    expect(error).toMatchObject({
      code: 'not_found',
      path,
      message: `${path}: file not found`,
      detail: 'file not found',
    });
    expect((error as ImageDecodeError).publicCode).toBe('missing_file');
  });

  it('prefixes decode refusals with the path', async () => {
    const path = imageFixturePath('truncatedBodyJpeg');
    const error = await readImageFile(path).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'truncated', path });
    expect((error as Error).message.startsWith(`${path}: `)).toBe(true);
  });

  describe('reads only regular files, and never more than maxBytes + 1 bytes', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'imgcap-hostile-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    /** The refusal, how long it took and how much the heap grew: hostile files must cost neither. */
    async function refusal(path: string, options = {}) {
      const started = performance.now();
      const rss = process.memoryUsage().rss;
      const error = (await readImageFile(path, options).catch((err: unknown) => err)) as ImageDecodeError;
      return { error, ms: performance.now() - started, grewMB: (process.memoryUsage().rss - rss) / 2 ** 20 };
    }

    it('refuses a FIFO without opening it (it would block forever), a directory, and /dev/zero behind a link', async () => {
      const fifo = join(dir, 'x.jpg');
      execFileSync('mkfifo', [fifo]);
      const zero = join(dir, 'z.jpg');
      await symlink('/dev/zero', zero);
      for (const [path, kind] of [
        [fifo, 'a FIFO'],
        [zero, 'a character device'],
        [dir, 'a directory'],
      ] as const) {
        const { error, ms, grewMB } = await refusal(path);
        expect(error).toMatchObject({
          code: 'not_a_file',
          path,
          detail: `${kind}${kind === 'a FIFO' ? ' (named pipe)' : ''}, not an image file`,
        });
        expect(error.publicCode).toBe(IMAGE_ERRORS.not_a_file.code);
        expect(ms).toBeLessThan(1000);
        expect(grewMB).toBeLessThan(64);
      }
    });

    it('refuses a 2 GiB file from its size, and a file over a smaller cap, without reading it', async () => {
      const huge = join(dir, 'huge.jpg');
      await writeFile(huge, '');
      await truncate(huge, 2047 * 2 ** 20); // sparse: no disk used
      const { error, ms, grewMB } = await refusal(huge);
      expect(error).toMatchObject({ code: 'too_large', path: huge });
      expect(error.publicCode).toBe('file_too_large');
      expect(ms).toBeLessThan(1000);
      expect(grewMB).toBeLessThan(64);
      const capped = await refusal(imageFixturePath('png'), { maxBytes: 100 });
      expect(capped.error).toMatchObject({ code: 'too_large' });
    });

    it('reports a symbolic link loop as unreadable, naming it', async () => {
      const loop = join(dir, 'loop.jpg');
      await symlink(loop, loop);
      const { error } = await refusal(loop);
      expect(error).toMatchObject({ code: 'unreadable', detail: 'cannot be read (a symbolic link loop)' });
    });
  });
});
