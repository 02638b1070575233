import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeSyntheticData,
  runEval,
  saveTinyBundle,
  syntheticEvalArgs,
  useTestBackend,
} from '../test-helpers/tiny-run.js';

let root: string;
let runA: string;
let bundleB: string;
let parameters: number;

beforeAll(async () => {
  await useTestBackend();
  root = await mkdtemp(join(tmpdir(), 'imgcap-compare-'));
  const dataDir = await makeSyntheticData(join(root, 'data'));
  runA = join(root, 'run-a');
  bundleB = join(root, 'bundle-b');
  parameters = await saveTinyBundle(dataDir, join(runA, 'bundle'), { preset: 'tiny' });
  await saveTinyBundle(dataDir, bundleB);
  const common = [...syntheticEvalArgs(runA, dataDir), '--examples', '0'];
  for (const beam of ['1', '3']) expect((await runEval([...common, '--beam', beam])).exitCode).toBe(0);
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function filesBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const sizes = await Promise.all(
    entries.filter((e) => e.isFile()).map((e) => stat(join(e.parentPath, e.name)).then((s) => s.size)),
  );
  return sizes.reduce((sum, size) => sum + size, 0);
}

/** The Markdown table's rows as cells, header first (separator row dropped). */
function parseTable(markdown: string): string[][] {
  const lines = markdown.trim().split('\n');
  expect(lines[1]).toMatch(/^\| (--- \| )+---\s?\|$/);
  return [lines[0], ...lines.slice(2)].map((line) => line.slice(2, -2).split(' | '));
}

describe('eval compare', () => {
  it('prints one Markdown row per dir with greedy / beam-3 metrics, and — where an eval is missing', async () => {
    const { stdout, exitCode } = await runEval(['compare', runA, bundleB]);
    expect(exitCode).toBe(0);
    const [header, a, b] = parseTable(stdout);
    expect(header).toEqual([
      'run',
      'arch',
      'preset',
      'backbone',
      'parameters',
      'bundle MB',
      'CIDEr-D (greedy / beam-3)',
      'BLEU-4 (greedy / beam-3)',
      'captions/s (greedy / beam-3)',
    ]);
    expect(a.slice(0, 5)).toEqual(['run-a', 'imgcap', 'tiny', 'patch8@64', parameters.toLocaleString('en-US')]);
    expect(a[5]).toBe(((await filesBytes(join(runA, 'bundle'))) / 1e6).toFixed(1));
    for (const cell of a.slice(6)) expect(cell).toMatch(/^\d+\.\d+ \/ \d+\.\d+$/);
    expect(b.slice(0, 5)).toEqual(['bundle-b', 'imgcap', '—', 'patch8@64', parameters.toLocaleString('en-US')]);
    expect(b.slice(6)).toEqual(['— / —', '— / —', '— / —']);
  });

  it('shows the metrics the eval wrote, per beam width', async () => {
    const greedy = JSON.parse(await readFile(join(runA, 'eval-test-beam1', 'metrics.json'), 'utf8'));
    const beam3 = JSON.parse(await readFile(join(runA, 'eval-test-beam3', 'metrics.json'), 'utf8'));
    const [, a] = parseTable((await runEval(['compare', runA])).stdout);
    expect(a[6]).toBe(`${greedy.metrics['CIDEr-D'].toFixed(3)} / ${beam3.metrics['CIDEr-D'].toFixed(3)}`);
    expect(a[7]).toBe(`${greedy.metrics['BLEU-4'].toFixed(3)} / ${beam3.metrics['BLEU-4'].toFixed(3)}`);
  });

  it('only counts evals of the chosen split, and skips a malformed metrics.json with a warning', async () => {
    await mkdir(join(runA, 'eval-broken'));
    await writeFile(join(runA, 'eval-broken', 'metrics.json'), '{"split": "test",');
    const { stdout, stderr } = await runEval(['compare', '--split', 'val', runA]);
    const [header, a] = parseTable(stdout);
    expect(header[6]).toBe('CIDEr-D (greedy)');
    expect(a[6]).toBe('—');
    expect(stderr).toContain(`skipping ${join(runA, 'eval-broken', 'metrics.json')}`);
    await rm(join(runA, 'eval-broken'), { recursive: true });
  });

  it('fails with one line naming a dir that is not a run or bundle', async () => {
    const { stdout, stderr, exitCode } = await runEval(['compare', runA, join(root, 'data')]);
    expect(exitCode).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^error: .*data is neither a caption bundle nor a training run with a bundle: looked for [^\n]*\n$/,
    );
  });
});
