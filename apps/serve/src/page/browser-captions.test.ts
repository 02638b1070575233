// The page captioning in headless Chromium with ONNX Runtime Web, against the server's own tfjs engine; and the
// page's pixels (canvas decode + @imgcap/image-io's resizeForModel) against the server's (sharp decode + the same).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '@imgcap/image-io';
import { heicHeader, IMAGE_FIXTURES_DIR, imageFixturePath } from '@imgcap/image-io/fixtures';
import { startServer, type RunningServer } from '../server.js';
import { launchChromium } from '../test-helpers/chromium.js';
import { FakeCaptionService } from '../test-helpers/fake-service.js';
import { photoLike } from '../test-helpers/photo-like.js';
import { writeTinyBundle } from '../test-helpers/tiny-bundle.js';

let dir: string;
let browser: Browser;
/** 32×32 RGB, the tiny model's input size: the browser need not resize it, so its pixels are the server's. */
let exactSizePng: string;
/** Non-square images that must be resized to the model's 32×32: the page must give the server's pixels anyway. */
const RESIZED = {
  'photo-70x46.png': (image: sharp.Sharp) => image.png(),
  'photo-500x333.png': (image: sharp.Sharp) => image.png(),
  'photo-500x333.jpg': (image: sharp.Sharp) => image.jpeg({ quality: 90 }),
} as const;
const resizedPaths: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imgcap-serve-browser-page-'));
  const pixels = Buffer.from(Uint8Array.from({ length: 32 * 32 * 3 }, (_, i) => (i * 37 + (i >> 5) * 11) % 256));
  exactSizePng = join(dir, 'pattern.png');
  await writeFile(
    exactSizePng,
    await sharp(pixels, { raw: { width: 32, height: 32, channels: 3 } })
      .png()
      .toBuffer(),
  );
  for (const [name, encode] of Object.entries(RESIZED)) {
    const [width, height] = name
      .match(/(\d+)x(\d+)/)!
      .slice(1)
      .map(Number) as [number, number];
    resizedPaths[name] = join(dir, name);
    await writeFile(resizedPaths[name], await encode(photoLike(width, height)).toBuffer());
  }
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

async function captionOf(
  page: Page,
  file: string,
  statusPattern: RegExp,
): Promise<{ caption: string; words: string[] }> {
  await page.evaluate(() => {
    document.getElementById('caption')!.textContent = '';
  });
  await page.setInputFiles('#file', file);
  await expect.poll(() => page.textContent('#status'), { timeout: 30_000 }).toMatch(statusPattern);
  return {
    caption: (await page.textContent('#caption')) ?? '',
    words: await page.locator('#words button').allTextContents(),
  };
}

describe.each(['imgcap', 'seed'] as const)(
  'the web page captioning in the browser (ONNX Runtime Web), arch %s',
  (arch) => {
    let server: RunningServer;
    beforeAll(async () => {
      const bundle = await writeTinyBundle(dir, arch);
      // The tfjs engine on the server, so the comparison is across runtimes (the page runs ONNX Runtime Web).
      server = await startServer({
        modelDir: bundle,
        port: 0,
        host: '127.0.0.1',
        logLevel: 'silent',
        limits: {},
        engine: 'tfjs',
      });
    }, 120_000);
    afterAll(() => server?.shutdown());

    it('gives the server’s caption for the same pixels, with nothing sent but the model download', async () => {
      const page = await browser.newPage();
      const uploads: string[] = [];
      page.on('request', (request) => request.method() === 'POST' && uploads.push(request.url()));
      await page.goto(server.url);
      await expect.poll(() => page.locator('#where').isVisible()).toBe(true);

      const fromServer = await captionOf(page, exactSizePng, /^[\d.]+ ms$/);
      expect(fromServer.caption.length).toBeGreaterThan(0);
      expect(uploads).toHaveLength(1);

      await page.check('#local');
      await expect.poll(() => page.textContent('#status'), { timeout: 60_000 }).toMatch(/Model loaded/);
      const inBrowser = await captionOf(page, exactSizePng, /ms in this browser$/);
      expect(inBrowser).toEqual(fromServer);
      expect(uploads).toHaveLength(1); // the image never left the page

      // Images that need resizing: the page resizes as the server does, so the words are the server's too.
      for (const file of [...Object.values(resizedPaths), imageFixturePath('jpeg')]) {
        await page.uncheck('#local');
        const server = await captionOf(page, file, /^[\d.]+ ms$/);
        await page.check('#local');
        const here = await captionOf(page, file, /ms in this browser$/);
        expect(here.words.length, file).toBeGreaterThan(0);
        expect(here, file).toEqual(server);
      }
      expect(uploads).toHaveLength(1 + Object.keys(resizedPaths).length + 1); // the server's captions only
      await page.close();
    }, 120_000);
  },
);

/** What the page hands the model for `bytes`: its canvas decode and `resizeForModel` (filePixels), or `how`. */
async function pagePixels(page: Page, bytes: Buffer, size: number, how: 'filePixels' | 'canvas' = 'filePixels') {
  // A string, not a function: the test runner would rewrite a function's import() for Node.
  const values = await page.evaluate(`(async () => {
    const file = new Blob([Uint8Array.from(atob('${bytes.toString('base64')}'), (c) => c.charCodeAt(0))]);
    if ('${how}' === 'filePixels') {
      const { filePixels } = await import('/browser/browser-captioner.mjs');
      return Array.from(await filePixels(file, ${size}));
    }
    // How the page resized before: the canvas's own resampling, straight to the model's size.
    const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
    const context = new OffscreenCanvas(${size}, ${size}).getContext('2d');
    context.drawImage(bitmap, 0, 0, ${size}, ${size});
    return Array.from(context.getImageData(0, 0, ${size}, ${size}).data).filter((_, i) => i % 4 !== 3);
  })()`);
  return Uint8Array.from(values as number[]);
}

function largestDifference(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((worst, value, i) => Math.max(worst, Math.abs(value - b[i]!)), 0);
}

describe('the page’s pixels for the model are the server’s', () => {
  let server: RunningServer;
  let page: Page;
  beforeAll(async () => {
    server = await startServer(
      { modelDir: '/models/none', port: 0, host: '127.0.0.1', logLevel: 'silent', limits: {} },
      async () => new FakeCaptionService(),
    );
    page = await browser.newPage();
    await page.goto(server.url);
  }, 120_000);
  afterAll(async () => {
    await page?.close();
    await server?.shutdown();
  });

  it.each([
    ...Object.keys(RESIZED),
    'photo.jpg', // 96×64 fixture
    'exif-rotated.jpg', // EXIF orientation 6
    'photo.webp',
  ])('%s: byte for byte after resizing to 32×32', async (name) => {
    const path = resizedPaths[name] ?? join(IMAGE_FIXTURES_DIR, name);
    const bytes = await readFile(path);
    const fromServer = (await decodeImage(bytes, { size: 32 })).data;
    expect(await pagePixels(page, bytes, 32)).toEqual(fromServer);
  });

  it('differs from the canvas’s own resampling (how the page resized before)', async () => {
    const bytes = await readFile(resizedPaths['photo-70x46.png']!);
    const fromServer = (await decodeImage(bytes, { size: 32 })).data;
    expect(largestDifference(await pagePixels(page, bytes, 32, 'canvas'), fromServer)).toBeGreaterThan(3); // 7 measured
  });

  it('AVIF: within one level (Chromium and libheif convert YUV to RGB with different rounding)', async () => {
    const bytes = await photoLike(500, 333).avif().toBuffer();
    const fromServer = (await decodeImage(bytes, { size: 32 })).data;
    expect(largestDifference(await pagePixels(page, bytes, 32), fromServer)).toBeLessThanOrEqual(1);
  });

  it('refuses HEIC with the server’s advice', async () => {
    const failure = pagePixels(page, heicHeader(), 32);
    await expect(failure).rejects.toThrow(/HEIC\/HEIF images .* Most Compatible/);
  });
});
