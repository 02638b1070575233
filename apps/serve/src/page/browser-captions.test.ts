// The page captioning in headless Chromium with ONNX Runtime Web, against the server's own tfjs engine.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageFixturePath } from '@imgcap/image-io/fixtures';
import { startServer, type RunningServer } from '../server.js';
import { launchChromium } from '../test-helpers/chromium.js';
import { writeTinyBundle } from '../test-helpers/tiny-bundle.js';

let dir: string;
let browser: Browser;
/** 32×32 RGB, the tiny model's input size: the browser need not resize it, so its pixels are the server's. */
let exactSizePng: string;

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

      // An image that needs resizing captions too (the browser's resampling may change the words).
      const resized = await captionOf(page, imageFixturePath('jpeg'), /ms in this browser$/);
      expect(resized.words.length).toBeGreaterThan(0);
      expect(resized.words.join(' ')).toBe(resized.caption);
      await page.close();
    }, 120_000);
  },
);
