// Drives the web page in headless Chromium (Debian's /usr/bin/chromium; CI installs it with tools/install-browser.sh).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { imageFixturePath } from '@imgcap/image-io/fixtures';
import { startServer, type RunningServer } from '../server.js';
import { launchChromium } from '../test-helpers/chromium.js';
import { FakeCaptionService } from '../test-helpers/fake-service.js';

let browser: Browser;
let server: RunningServer;

beforeAll(async () => {
  server = await startServer(
    { modelDir: '/models/demo', port: 0, host: '127.0.0.1', logLevel: 'silent', limits: {} },
    async () => new FakeCaptionService(),
  );
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.shutdown();
});

describe('GET / web page', () => {
  it('uploads a picked image, shows the caption, and paints each word’s attention over the image', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(server.url);
    await page.setInputFiles('#file', imageFixturePath('rgbaPng'));
    await expect.poll(() => page.textContent('#caption')).toBe('a red picture');
    // This server has no model for browsers, so the page does not offer to caption locally.
    expect(await page.locator('#where').isHidden()).toBe(true);
    expect(await page.locator('#preview').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(
      32,
    );
    expect(await page.locator('#words button').allTextContents()).toEqual(['a', 'red', 'picture']);

    // Word 2 ("red") attends to grid cell 1 (top right) of the fake engine's 2×2 grid.
    await page.locator('#words button', { hasText: 'red' }).click();
    const alphas = await page.locator('#heat').evaluate((canvas: HTMLCanvasElement) => {
      const data = canvas.getContext('2d')!.getImageData(0, 0, 2, 2).data;
      return [3, 7, 11, 15].map((i) => data[i]);
    });
    expect(alphas).toEqual([0, 255, 0, 0]);
    // Self-contained: nothing fetched but this server and the local preview blob.
    expect(requests.filter((url) => !url.startsWith(server.url) && !url.startsWith('blob:'))).toEqual([]);
    await page.close();
  });

  it('shows the server’s error message for a file that is not an image', async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.setInputFiles('#file', imageFixturePath('svg'));
    await expect.poll(() => page.textContent('#status')).toMatch(/not accepted/);
    expect(await page.getAttribute('#status', 'class')).toBe('error');
    await page.close();
  });
});

describe('security headers', () => {
  it("every answer carries nosniff, no framing and a CSP that allows exactly the page's own inline code", async () => {
    const { buildApp } = await import('../app.js');
    const { inlineHashes } = await import('../routes/security-headers.js');
    const { readPage } = await import('../routes/page.js');
    const app = await buildApp();
    try {
      for (const url of ['/', '/healthz', '/no-such-route']) {
        const response = await app.inject({ method: 'GET', url });
        expect(response.headers['x-content-type-options'], url).toBe('nosniff');
        expect(response.headers['x-frame-options'], url).toBe('SAMEORIGIN');
        const csp = String(response.headers['content-security-policy']);
        expect(csp, url).toContain("frame-ancestors 'none'");
        expect(csp, url).not.toContain('unsafe-inline');
      }
      const csp = String((await app.inject({ method: 'GET', url: '/' })).headers['content-security-policy']);
      const page = await readPage();
      for (const hash of [...inlineHashes(page, 'script'), ...inlineHashes(page, 'style')]) expect(csp).toContain(hash);
    } finally {
      await app.close();
    }
  });
});
