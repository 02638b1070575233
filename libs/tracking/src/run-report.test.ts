import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lineChartSvg } from './line-chart.js';
import { renderRunReport, type RunReportInput } from './run-report.js';
import { useTempDirs } from './test-helpers/temp-dir.js';

const tempDir = useTempDirs();
// 1×1 transparent PNG.
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const PNG_URI = `data:image/png;base64,${PNG_BASE64}`;

function input(overrides: Partial<RunReportInput> = {}): RunReportInput {
  return {
    title: 'run-1',
    config: { lr: 0.001, note: '</pre><b>' },
    summary: {
      best: { metric: 'val/bleu4', mode: 'max', value: 0.2123, step: 200, epoch: 3 },
      final: { 'train/loss': 2.25 },
      wallTimeSeconds: 120,
      examplesPerSecond: 55.5,
    },
    charts: [
      lineChartSvg({ title: 'loss', xLabel: 'step', yLabel: 'loss', series: [{ name: 'train', points: [[1, 2]] }] }),
    ],
    samples: [{ image: PNG_URI, caption: 'a dog runs', references: ['a dog is running'], scores: { bleu4: 0.5 } }],
    ...overrides,
  };
}

describe('renderRunReport', () => {
  it('is one self-contained HTML page: inline CSS, inline charts, summary, samples, config', () => {
    const html = renderRunReport(input());
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<link|<script|src="http/);
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(html).toContain(`src="${PNG_URI}"`);
    expect(html).toMatch(/best val\/bleu4 \(max\).*0\.2123 at step 200, epoch 4</);
    expect(html).toMatch(/final train\/loss.*2\.250/);
    expect(html).toContain('<li>a dog is running</li>');
    expect(html).toContain('&quot;lr&quot;: 0.001');
  });

  it('shows the best epoch 1-based, as the console counts: stored epoch 15 of a 16-epoch run is "epoch 16"', () => {
    const summary = {
      ...input().summary,
      best: { metric: 'val/loss', mode: 'min' as const, value: 2, step: 160, epoch: 15 },
    };
    const html = renderRunReport(input({ summary }));
    expect(html).toContain('at step 160, epoch 16<');
    expect(html).not.toContain('epoch 15');
  });

  it('labels each sample: the model\'s caption under "model:", the ground truth under "references:"', () => {
    const html = renderRunReport(
      input({ samples: [{ image: PNG_URI, caption: 'a dog runs', references: ['a dog is running', 'a brown dog'] }] }),
    );
    const figure = /<figcaption>(.*)<\/figcaption>/.exec(html)![1]!;
    expect(figure).toMatch(/<p class="caption"><span class="label">model:<\/span> a dog runs<\/p>/);
    expect(figure).toMatch(
      /<p class="label">references:<\/p><ol class="refs"><li>a dog is running<\/li><li>a brown dog<\/li><\/ol>/,
    );
    // No references, no dangling "references:" label.
    const bare = renderRunReport(input({ samples: [{ image: PNG_URI, caption: 'a cat' }] }));
    expect(bare).toContain('model:</span> a cat');
    expect(bare).not.toContain('references:');
  });

  it('escapes a caption containing <script> and every other text field', () => {
    const html = renderRunReport(
      input({
        title: '<img onerror=x>',
        config: { evil: '</pre><script>alert(1)</script>' },
        samples: [
          {
            image: PNG_URI,
            caption: '<script>alert("caption")</script>',
            references: ['<b>ref</b>'],
            scores: { '<i>s</i>': 1 },
          },
        ],
      }),
    );
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img onerror');
    expect(html).not.toContain('<b>ref</b>');
    expect(html).toContain('&lt;script&gt;alert(&quot;caption&quot;)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;ref&lt;/b&gt;');
  });

  it('embeds an image given as a path relative to baseDir as a data URI', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'dog.png'), Buffer.from(PNG_BASE64, 'base64'));
    const html = renderRunReport(input({ baseDir: dir, samples: [{ image: 'dog.png', caption: 'a dog' }] }));
    expect(html).toContain(`src="${PNG_URI}"`);
    expect(html).not.toContain('dog.png');
  });

  it('refuses SVG or non-image data URIs and unknown extensions, naming the allowed types', () => {
    const render = (image: string) => () => renderRunReport(input({ samples: [{ image, caption: 'x' }] }));
    expect(render('data:image/svg+xml;base64,PHN2Zz4=')).toThrow(/not base64 image\/jpeg, png, webp or gif/);
    expect(render('data:text/html,<script>alert(1)</script>')).toThrow(/not base64 image/);
    expect(render('picture.svg')).toThrow(/extension "\.svg"; allowed: \.jpg, \.jpeg, \.png, \.webp, \.gif/);
  });
});
