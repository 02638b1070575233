// The page's layout in headless Chromium at a phone's and a desktop's width, checked by geometry; screenshots land
// in apps/serve/reports/page-layout/ for a person to look at.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../server.js';
import { launchChromium } from '../test-helpers/chromium.js';
import { FakeCaptionService } from '../test-helpers/fake-service.js';

const SHOTS = join(import.meta.dirname, '..', '..', 'reports', 'page-layout');

let browser: Browser;
let server: RunningServer;
/** A wide photo-sized upload: the preview must shrink to the viewport, not overflow it. */
let widePng: Buffer;

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  server = await startServer(
    { modelDir: '/models/demo', port: 0, host: '127.0.0.1', logLevel: 'silent', limits: {} },
    async () => new FakeCaptionService(),
  );
  browser = await launchChromium();
  widePng = await sharp({ create: { width: 1600, height: 500, channels: 3, background: '#c02020' } })
    .png()
    .toBuffer();
});

afterAll(async () => {
  await browser?.close();
  await server?.shutdown();
});

type Box = { x: number; y: number; width: number; height: number };

async function box(page: Page, selector: string): Promise<Box> {
  const found = await page.locator(selector).boundingBox();
  expect(found, `${selector} has a box`).not.toBeNull();
  return found!;
}

function intersects(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Elements whose box reaches past the viewport's left or right edge, and the page's horizontal overflow. */
async function horizontalOverflow(page: Page): Promise<{ scroll: number; outside: string[] }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const outside = [...document.body.querySelectorAll('*')]
      .filter((el) => el.getClientRects().length > 0)
      .filter((el) => {
        const rect = el.getBoundingClientRect();
        return rect.left < -0.5 || rect.right > width + 0.5;
      })
      .map((el) => `${el.tagName.toLowerCase()}#${el.id}`);
    return { scroll: document.documentElement.scrollWidth - width, outside };
  });
}

describe.each([
  ['phone', 390, 844],
  ['desktop', 1280, 800],
])('the page at %s width (%i×%i)', (name, width, height) => {
  it('keeps the drop zone clear of the in-browser option, shows no image before upload, never overflows', async () => {
    const page = await browser.newPage({ viewport: { width, height } });
    // This server has no browser model; answer as one that has, so the "Caption in this browser" option shows.
    await page.route('**/browser/model.json', (route) => route.fulfill({ json: { available: true } }));
    await page.goto(server.url);
    await expect.poll(() => page.locator('#where').isVisible()).toBe(true);
    await page.screenshot({ path: join(SHOTS, `${name}-empty.png`), fullPage: true });

    const [drop, option] = [await box(page, '#drop'), await box(page, '#where label')];
    expect(intersects(drop, option)).toBe(false);
    expect(option.y - (drop.y + drop.height)).toBeGreaterThanOrEqual(8); // a visible gap, not just no overlap
    expect(drop.x + drop.width).toBeLessThanOrEqual(width);
    expect(await page.locator('#preview').isVisible()).toBe(false);
    expect(await page.locator('#stage').isVisible()).toBe(false);
    expect(await horizontalOverflow(page)).toEqual({ scroll: 0, outside: [] });

    await page.setInputFiles('#file', { name: 'wide.png', mimeType: 'image/png', buffer: widePng });
    await expect.poll(() => page.textContent('#caption')).toBe('a red picture');
    await expect.poll(() => page.locator('#preview').evaluate((img: HTMLImageElement) => img.complete)).toBe(true);
    await page.screenshot({ path: join(SHOTS, `${name}-captioned.png`), fullPage: true });

    const preview = await box(page, '#preview');
    expect(preview.width).toBeGreaterThan(0);
    expect(preview.x + preview.width).toBeLessThanOrEqual(width);
    expect(intersects(await box(page, '#drop'), await box(page, '#where label'))).toBe(false);
    expect((await box(page, '#caption')).y).toBeGreaterThanOrEqual(preview.y + preview.height);
    expect(await horizontalOverflow(page)).toEqual({ scroll: 0, outside: [] });
    await page.close();
  });
});
