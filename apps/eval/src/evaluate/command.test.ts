import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { METRIC_NAMES } from '@imgcap/caption-metrics';
import { readKarpathy } from '@imgcap/flickr-dataset';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEval, setUpTinyEvalRun, syntheticEvalArgs } from '../test-helpers/tiny-run.js';

let root: string;
let dataDir: string;
let runDir: string;
let parameters: number;

beforeAll(async () => {
  ({ root, dataDir, runDir, parameters } = await setUpTinyEvalRun('imgcap-eval-', 'run-a', { preset: 'tiny-test' }));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('eval --model (default command)', () => {
  it('captions the test split of a run dir and writes metrics.json, captions.json and report.html', async () => {
    const { stdout, stderr, exitCode } = await runEval([
      ...syntheticEvalArgs(runDir, dataDir),
      '--beam',
      '2',
      '--examples',
      '2',
      '--batch_size',
      '2',
    ]);
    expect(exitCode).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const line = JSON.parse(stdout);
    expect(Object.keys(line)).toEqual([...METRIC_NAMES, 'images', 'beam', 'captions_per_second', 'split']);
    expect(line).toMatchObject({ images: 3, beam: 2, split: 'test' });
    expect(line.captions_per_second).toBeGreaterThan(0);
    expect(stderr).toContain('captioned 2/3 images');
    expect(stderr).toContain('captioned 3/3 images');

    const outDir = join(runDir, 'eval-test-beam2');
    const metrics = JSON.parse(await readFile(join(outDir, 'metrics.json'), 'utf8'));
    expect(Object.keys(metrics.metrics)).toEqual([...METRIC_NAMES]);
    for (const name of METRIC_NAMES) expect(metrics.metrics[name]).toBe(line[name]);
    expect(metrics.model).toMatchObject({ backbone: 'patch8@64', parameters, preset: 'tiny-test' });
    expect(metrics.settings).toMatchObject({ beam: 2, maxLength: 11, backend: 'wasm', bundle: join(runDir, 'bundle') });

    const dataset = await readKarpathy(join(dataDir, 'dataset_synthetic.json'), join(dataDir, 'images'));
    const testIds = dataset.images.filter((image) => image.split === 'test').map((image) => image.id);
    const captions = JSON.parse(await readFile(join(outDir, 'captions.json'), 'utf8'));
    expect(captions.map((c: { image_id: string }) => c.image_id)).toEqual(testIds);
    for (const entry of captions) expect(Object.keys(entry)).toEqual(['image_id', 'caption']);

    const html = await readFile(join(outDir, 'report.html'), 'utf8');
    expect(html.match(/<img src="data:image\/jpeg;base64,/g)).toHaveLength(2);
    expect(html).toContain(`<p class="caption">${captions[0].caption}`);
    expect(html).toContain(`<p class="caption">${captions[1].caption}`);
    expect(html.match(/<p class="caption">/g)).toHaveLength(2);
    expect(html).toContain(dataset.images.find((image) => image.id === testIds[0])!.captions[0]);
    // No external resources: everything the page shows is inline.
    expect(html).not.toMatch(/(src|href)="(https?:|\/\/)/);
  });

  it('defaults to the bundle itself and beam 3 when DIR is a bundle, honouring --out and --limit', async () => {
    const out = join(root, 'custom-out');
    const { stdout, exitCode } = await runEval([
      ...syntheticEvalArgs(join(runDir, 'bundle'), dataDir),
      '--limit',
      '1',
      '--out',
      out,
      '--max_length',
      '4',
    ]);
    expect(exitCode).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ images: 1, beam: 3 });
    const captions = JSON.parse(await readFile(join(out, 'captions.json'), 'utf8'));
    expect(captions).toHaveLength(1);
    expect(captions[0].caption.split(' ').length).toBeLessThanOrEqual(4);
  });

  it('skips a missing image by name and escapes captions in the report', async () => {
    const splitFile = join(root, 'custom.json');
    // Two of the model's held-out images (eval refuses to score its training images as test images).
    const [first, second] = JSON.parse(await readFile(join(runDir, 'bundle', 'data-split.json'), 'utf8')).images
      .test as string[];
    const images = [
      { filename: first, split: 'test', sentences: [{ raw: 'a <script>alert(1)</script> circle' }] },
      { filename: second, split: 'test', sentences: [{ raw: 'a square' }] },
      { filename: 'gone.jpg', split: 'test', sentences: [{ raw: 'a star' }] },
    ];
    await writeFile(splitFile, JSON.stringify({ images }));
    const out = join(root, 'skip-out');
    const args = [
      '--model',
      runDir,
      '--dataset',
      'karpathy',
      '--data_dir',
      dataDir,
      '--split_file',
      splitFile,
      '--backend',
      'wasm',
    ];
    const { stdout, stderr, exitCode } = await runEval([...args, '--beam', '1', '--out', out]);
    expect(exitCode).toBe(0);
    expect(stderr).toMatch(/skipping image gone\.jpg: missing_file/);
    expect(stderr).toMatch(/^backbone: patch8@64: raw pixel patches, no pretrained weights$/m);
    expect(JSON.parse(stdout).images).toBe(2);
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.skipped.map((s: { id: string }) => s.id)).toEqual(['gone.jpg']);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('a &lt;script&gt;alert(1)&lt;/script&gt; circle');
    expect(html).not.toContain('<script>');
    expect(html).toContain('gone.jpg');
  });
});

describe('eval --model errors: one line naming the bad flag or file, exit code 1', () => {
  it('names a missing model directory', async () => {
    const missing = join(root, 'no-such-run');
    const { stdout, stderr, exitCode } = await runEval(syntheticEvalArgs(missing, dataDir));
    expect(exitCode).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`error: model directory ${missing} does not exist or is not a directory\n`);
  });

  it('names both places looked at when a run dir has no bundle', async () => {
    const { stderr, exitCode } = await runEval(syntheticEvalArgs(dataDir, dataDir));
    expect(exitCode).toBe(1);
    expect(stderr).toContain(
      `looked for ${join(dataDir, 'bundle.json')} and ${join(dataDir, 'bundle', 'bundle.json')}`,
    );
  });

  it('rejects unknown flags and out-of-range values', async () => {
    const unknown = await runEval([...syntheticEvalArgs(runDir, dataDir), '--beams', '3']);
    expect(unknown.exitCode).not.toBe(0);
    expect(unknown.stderr).toContain("unknown option '--beams'");
    const beam = await runEval([...syntheticEvalArgs(runDir, dataDir), '--beam', '0']);
    expect(beam.exitCode).not.toBe(0);
    expect(beam.stderr).toContain("'--beam <n>' argument '0' is invalid. must be an integer from 1 to 16.");
    const dataset = await runEval(['--model', runDir, '--dataset', 'coco', '--data_dir', dataDir]);
    expect(dataset.stderr).toContain('Allowed choices are flickr30k, flickr8k, karpathy, synthetic');
  });

  it('--sample draws captions: temperature 0 is greedy, a seed repeats, and it excludes --beam', async () => {
    const captionsOf = async (args: string[], out: string) => {
      const { exitCode, stderr } = await runEval([
        ...syntheticEvalArgs(runDir, dataDir),
        ...args,
        '--out',
        join(root, out),
      ]);
      expect(exitCode, stderr).toBe(0);
      return JSON.parse(await readFile(join(root, out, 'captions.json'), 'utf8'));
    };
    const greedy = await captionsOf(['--beam', '1'], 'greedy');
    expect(await captionsOf(['--sample', '--temperature', '0'], 'cold')).toEqual(greedy);
    const seeded = ['--sample', '--temperature', '2', '--sample_seed', '7'];
    expect(await captionsOf(seeded, 'seeded-b')).toEqual(await captionsOf(seeded, 'seeded-a'));
    const both = await runEval([...syntheticEvalArgs(runDir, dataDir), '--sample', '--beam', '3']);
    expect(both.exitCode).not.toBe(0);
    expect(both.stderr).toMatch(/option '--sample' cannot be used with option '--beam <n>'/);
  });

  it('names --max_length beyond what the model can generate', async () => {
    const { stderr, exitCode } = await runEval([...syntheticEvalArgs(runDir, dataDir), '--max_length', '40']);
    expect(exitCode).toBe(1);
    expect(stderr).toBe(
      'error: --max_length 40 is too long for this model: its captions hold at most 11 ids (seqLength 12)\n',
    );
  });
});
