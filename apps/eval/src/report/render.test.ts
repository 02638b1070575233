import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { attentionStrip } from './attention.js';
import { renderEvalReport, type ReportExample } from './render.js';
import { thumbnailDataUri } from './thumbnail.js';

const SCORES = { 'BLEU-1': 0.5, 'BLEU-2': 0.4, 'BLEU-3': 0.3, 'BLEU-4': 0.2, 'ROUGE-L': 0.45, 'CIDEr-D': 1.25 };

function example(overrides: Partial<ReportExample> = {}): ReportExample {
  return {
    id: 'a.jpg',
    image: 'data:image/jpeg;base64,/9j/AAAA',
    caption: 'a red circle',
    finished: true,
    references: ['a red circle on white'],
    scores: SCORES,
    words: ['a', 'red', 'circle'],
    attention: [
      [1, 0, 0, 0],
      [0, 2, 0, 0],
      [0, 0, 0.5, 0.5],
    ],
    gridSize: [2, 2],
    ...overrides,
  };
}

describe('attentionStrip', () => {
  it("draws one tile per word, each cell scaled between that word's weakest and strongest weight", () => {
    const html = attentionStrip(
      ['red', '<b>'],
      [
        [0.3, 0.2, 0.1, 0.3],
        [0.25, 0.25, 0.25, 0.25],
      ],
      [2, 2],
      'ex0',
    );
    expect(html.match(/<figure class="tile ex0">/g)).toHaveLength(2);
    expect(html).toContain('grid-template-columns:repeat(2,1fr);grid-template-rows:repeat(2,1fr)');
    const opacities = [...html.matchAll(/opacity:([\d.]+)/g)].map((m) => m[1]);
    expect(opacities).toEqual(['0.80', '0.40', '0.00', '0.80', '0', '0', '0', '0']);
    expect(html).toContain('<figcaption>&lt;b&gt;</figcaption>');
  });
});

describe('renderEvalReport', () => {
  it('puts corpus metrics on top, escapes every text, and embeds images only as data URIs', () => {
    const html = renderEvalReport({
      title: 'run <x>',
      metrics: SCORES,
      facts: { images: 2, 'captions/s': 3.14159 },
      skipped: [{ id: '"bad".jpg', reason: 'missing_file: gone' }],
      examples: [
        example({ caption: '<img src=x onerror=alert(1)>', finished: false }),
        example({ id: 'b.jpg', image: 'javascript:alert(1)', references: ['x & y'] }),
      ],
    });
    expect(html.indexOf('<table class="metrics">')).toBeLessThan(html.indexOf('class="example"'));
    expect(html).toContain('<th>CIDEr-D</th><td class="num">1.2500</td>');
    expect(html).toContain('<th>captions/s</th><td class="num">3.1416</td>');
    expect(html).toContain('<title>run &lt;x&gt;</title>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('(cut at --max_length)');
    expect(html).toContain('<li>x &amp; y</li>');
    expect(html).toContain('&quot;bad&quot;.jpg: missing_file: gone');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('(image unavailable)');
    // The first example's image is both the picture and the background of its attention tiles.
    expect(html).toContain('.ex0 .heat { background-image: url("data:image/jpeg;base64,/9j/AAAA"); }');
    expect(html).not.toContain('.ex1 .heat');
    expect(html.match(/<figure class="tile ex0">/g)).toHaveLength(3);
  });
});

describe('thumbnailDataUri', () => {
  it('re-encodes an image as a JPEG data URI at most 224 px on its longest side, aspect kept', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imgcap-thumb-'));
    try {
      const path = join(dir, 'wide.png');
      await sharp({ create: { width: 640, height: 320, channels: 3, background: '#3366cc' } })
        .png()
        .toFile(path);
      const uri = await thumbnailDataUri(path);
      expect(uri).toMatch(/^data:image\/jpeg;base64,/);
      const meta = await sharp(Buffer.from(uri!.split(',')[1], 'base64')).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 224, 112]);
      await writeFile(join(dir, 'text.jpg'), 'not an image');
      expect(await thumbnailDataUri(join(dir, 'text.jpg'))).toBeUndefined();
      expect(await thumbnailDataUri(join(dir, 'missing.jpg'))).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
