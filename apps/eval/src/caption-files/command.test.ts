import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makePhotoFolder, type PhotoFolder } from '../test-helpers/photo-folder.js';
import { runEval, setUpTinyEvalRun } from '../test-helpers/tiny-run.js';
import { parseCsv } from './resume.js';

let root: string;
let runDir: string;
let photos: PhotoFolder;
let outCount = 0;

beforeAll(async () => {
  let dataDir: string;
  ({ root, dataDir, runDir } = await setUpTinyEvalRun('imgcap-caption-files-', 'run'));
  photos = await makePhotoFolder(dataDir, join(root, 'photos'), 8);
});
afterAll(() => rm(root, { recursive: true, force: true }));

interface Row {
  file: string;
  caption: string;
  score: number;
}

const outPath = (ext: string) => join(root, `out-${outCount++}.${ext}`);
const goodFiles = () => photos.good.map((name) => join(photos.dir, name));
const badFile = () => join(photos.dir, photos.bad);
const model = (...more: string[]) => ['--model', runDir, '--backend', 'wasm', '--beam', '1', ...more];
const captionFiles = (args: string[]) => runEval(['caption-files', ...args]);

async function readJsonl(path: string): Promise<Row[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Row);
}

describe('eval caption-files', () => {
  it('captions every good image of a folder, reports and skips the corrupt one, and sums up', async () => {
    const out = outPath('jsonl');
    const errors = outPath('errors.jsonl');
    const run = await captionFiles([photos.dir, ...model('--batch_size', '3', '--out', out, '--errors', errors)]);
    expect(run.exitCode, run.stderr).toBe(0);
    const rows = await readJsonl(out);
    expect(rows.map((row) => row.file)).toEqual(goodFiles());
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(['file', 'caption', 'score']);
      expect(typeof row.caption).toBe('string');
      expect(row.score).toBeLessThan(0);
    }
    expect(run.stderr).toMatch(new RegExp(`skipping image ${badFile()}: \\w+: .*`));
    expect(await readJsonl(errors)).toEqual([{ file: badFile(), reason: expect.stringMatching(/^\w+: /) }]);
    expect(run.stderr).toContain(`captioned ${photos.good.length}, skipped 1, written to ${out}`);
    expect(run.stderr).toContain(`captioning ${photos.good.length + 1}/${photos.good.length + 1} files (`);
    expect(run.stderr).toMatch(/^backbone: patch8@64: raw pixel patches, no pretrained weights$/m);
    expect(JSON.parse(run.stdout)).toMatchObject({ captioned: photos.good.length, skipped: 1, already: 0, out });
  });

  it('writes CSV with a header and RFC 4180 quoting of names and captions with commas and quotes', async () => {
    const jsonl = outPath('jsonl');
    const csv = outPath('csv');
    expect((await captionFiles([photos.dir, ...model('--out', jsonl)])).exitCode).toBe(0);
    const run = await captionFiles([photos.dir, ...model('--out', csv)]);
    expect(run.exitCode, run.stderr).toBe(0);
    const text = await readFile(csv, 'utf8');
    const quotedName = `"${join(photos.dir, 'beach, ""sunny"" day.jpg')}"`;
    expect(text.split('\n')[0]).toBe('file,caption,score');
    expect(text).toContain(`\n${quotedName},`);
    const { records, completeChars } = parseCsv(text);
    expect(completeChars).toBe(text.length);
    const expected = (await readJsonl(jsonl)).map((row) => [row.file, row.caption, String(row.score)]);
    expect(records.slice(1)).toEqual(expected);
  });

  it('takes --format over the extension', async () => {
    const out = outPath('txt');
    const run = await captionFiles([join(photos.dir, 'a', 'cat.jpeg'), ...model('--out', out, '--format', 'csv')]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await readFile(out, 'utf8')).toMatch(/^file,caption,score\n.*cat\.jpeg,/);
  });

  it('refuses to overwrite an existing output without --resume, naming it and suggesting --resume', async () => {
    const out = outPath('jsonl');
    await writeFile(out, '{"file":"x.jpg","caption":"x","score":-1}\n');
    const run = await captionFiles([photos.dir, ...model('--out', out)]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`error: ${out} already exists \\(\\d+ bytes\\); pass --resume`));
    expect(await readFile(out, 'utf8')).toBe('{"file":"x.jpg","caption":"x","score":-1}\n');
  });

  it('--resume after a kill (torn last line): captions only the rest, and every file is there exactly once', async () => {
    const full = outPath('jsonl');
    expect((await captionFiles([photos.dir, ...model('--out', full)])).exitCode).toBe(0);
    const expected = await readJsonl(full);
    const out = outPath('jsonl');
    const lines = (await readFile(full, 'utf8')).split('\n');
    // What a kill mid-write leaves: three complete lines and the start of the fourth.
    await writeFile(out, `${lines.slice(0, 3).join('\n')}\n${lines[3].slice(0, 20)}`);
    const run = await captionFiles([photos.dir, ...model('--out', out, '--resume', '--batch_size', '2')]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain('dropping a torn last line (20 bytes)');
    expect(run.stderr).toContain(`resuming ${out}: 3 files already in it, ${photos.good.length - 3 + 1} to go`);
    expect(JSON.parse(run.stdout)).toMatchObject({ captioned: photos.good.length - 3, skipped: 1, already: 3 });
    const rows = await readJsonl(out);
    expect(rows.map((row) => row.file)).toEqual(goodFiles());
    expect(rows).toEqual(expected);
    const again = await captionFiles([photos.dir, ...model('--out', out, '--resume')]);
    expect(JSON.parse(again.stdout)).toMatchObject({ captioned: 0, skipped: 1, already: photos.good.length });
    expect(await readJsonl(out)).toEqual(expected);
  });
});

describe('eval caption-files sharding', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('--shard 0/2 and 1/2 together caption every file exactly once; {shard} names each output', async () => {
    const template = join(root, 'sharded-{shard}.jsonl');
    const files: string[] = [];
    for (const shard of ['0/2', '1/2']) {
      const run = await captionFiles([photos.dir, ...model('--out', template, '--shard', shard)]);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stderr).toMatch(new RegExp(`shard ${shard} \\(--shard\\): \\d+ of ${photos.good.length + 1} files`));
      files.push(...(await readJsonl(template.replace('{shard}', shard[0]))).map((row) => row.file));
    }
    expect(files.sort()).toEqual(goodFiles());
    expect(new Set(files).size).toBe(files.length);
  });

  it('takes the shard from a Kubernetes Indexed Job env (JOB_COMPLETION_INDEX, IMGCAP_SHARD_COUNT) as --shard', async () => {
    const byFlag = outPath('jsonl');
    const byEnv = outPath('jsonl');
    expect((await captionFiles([photos.dir, ...model('--out', byFlag, '--shard', '1/3')])).exitCode).toBe(0);
    process.env.JOB_COMPLETION_INDEX = '1';
    process.env.IMGCAP_SHARD_COUNT = '3';
    const run = await captionFiles([photos.dir, ...model('--out', byEnv)]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain('shard 1/3 (JOB_COMPLETION_INDEX and IMGCAP_SHARD_COUNT)');
    expect(await readFile(byEnv, 'utf8')).toBe(await readFile(byFlag, 'utf8'));
  });

  it('refuses an index without a count, naming what to set', async () => {
    process.env.JOB_COMPLETION_INDEX = '0';
    delete process.env.IMGCAP_SHARD_COUNT;
    const run = await captionFiles([photos.dir, ...model('--out', outPath('jsonl'))]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(
      /JOB_COMPLETION_INDEX=0 is set but the shard count is not: pass --shards N or set IMGCAP_SHARD_COUNT/,
    );
  });
});

describe('eval caption-files flags', () => {
  it.each([
    [['--shard', '2/2'], /option '--shard <i\/N>' argument '2\/2' is invalid/],
    [['--shards', '0'], /option '--shards <n>' argument '0' is invalid/],
    [['--batch_size', '0'], /option '--batch_size <n>' argument '0' is invalid/],
    [['--format', 'xml'], /option '--format <format>' argument 'xml' is invalid. Allowed choices are jsonl, csv/],
    [['--engine', 'tensorrt'], /Allowed choices are auto, tfjs, onnx/],
    [['--frobnicate'], /unknown option '--frobnicate'/],
  ])('refuses %j, naming the flag', async (flags, message) => {
    const run = await captionFiles([photos.dir, ...model('--out', outPath('jsonl'), ...flags)]);
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toMatch(message);
  });

  it('requires --out and --model, and an input', async () => {
    expect((await captionFiles([photos.dir, '--model', runDir])).stderr).toMatch(/required option '--out <file>'/);
    expect((await captionFiles([photos.dir, '--out', outPath('jsonl')])).stderr).toMatch(
      /required option '--model <dir>'/,
    );
    expect((await captionFiles(model('--out', outPath('jsonl')))).stderr).toMatch(/missing required argument 'inputs'/);
  });

  it('refuses an output format it cannot tell and a model dir that is not one, before captioning', async () => {
    const unknown = await captionFiles([photos.dir, ...model('--out', outPath('txt'))]);
    expect(unknown.stderr).toMatch(/error: --out .*out-\d+\.txt: cannot tell the format .* --format jsonl\|csv/);
    const noModel = await captionFiles([photos.dir, '--model', photos.dir, '--out', outPath('jsonl')]);
    expect(noModel.exitCode).toBe(1);
    expect(noModel.stderr).toMatch(/is neither a caption bundle nor a training run with a bundle/);
  });
});

describe('eval caption-files engines', () => {
  it.each([1, 3])('writes the same captions and scores on --engine onnx as on tfjs, beam %i', async (beam) => {
    const rowsOf = async (engine: string) => {
      const out = outPath('jsonl');
      const args = ['--model', runDir, '--backend', 'wasm', '--engine', engine, '--beam', String(beam), '--out', out];
      const run = await captionFiles([photos.dir, ...args]);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stderr).toContain(`on ${engine} (beam ${beam}`);
      return readJsonl(out);
    };
    const tfjs = await rowsOf('tfjs');
    const onnx = await rowsOf('onnx');
    expect(onnx.map(({ file, caption }) => ({ file, caption }))).toEqual(
      tfjs.map(({ file, caption }) => ({ file, caption })),
    );
    onnx.forEach((row, i) => expect(row.score).toBeCloseTo(tfjs[i].score, 4));
  });

  it('skips a FIFO named explicitly and a link to /dev/zero at once, by name, writing the good file of the batch', async () => {
    const hostile = join(root, 'hostile');
    await mkdir(hostile, { recursive: true });
    execFileSync('mkfifo', [join(hostile, 'x.jpg')]);
    await symlink('/dev/zero', join(hostile, 'z.jpg'));
    const out = outPath('jsonl');
    const started = performance.now();
    const run = await captionFiles([
      join(hostile, 'x.jpg'),
      join(hostile, 'z.jpg'),
      goodFiles()[0]!,
      ...model('--out', out),
    ]);
    expect(performance.now() - started).toBeLessThan(30_000); // before: the FIFO blocked forever, /dev/zero ate RAM
    expect(run.exitCode, run.stderr).toBe(0);
    expect((await readJsonl(out)).map((row) => row.file)).toEqual([goodFiles()[0]]);
    expect(run.stderr).toContain(
      `skipping image ${join(hostile, 'x.jpg')}: not_a_regular_file: a FIFO (named pipe), not an image file\n`,
    );
    expect(run.stderr).toContain(
      `skipping image ${join(hostile, 'z.jpg')}: not_a_regular_file: a character device, not an image file\n`,
    );
    // The same vocabulary as the server's: the corrupt file's code is one the server answers with.
    const bad = await captionFiles([badFile(), ...model('--out', outPath('jsonl'))]);
    expect(bad.stderr).toMatch(
      new RegExp(`skipping image ${badFile()}: (unsupported_image|corrupt_image|truncated_image): [^/]`),
    );
  }, 60_000);

  it('captions on WebGPU (tfjs, auto engine) exactly as on the cpu backend', async () => {
    const onCpu = outPath('jsonl');
    const onGpu = outPath('jsonl');
    const base = ['--model', runDir, '--beam', '3'];
    const cpu = await captionFiles([photos.dir, ...base, '--backend', 'cpu', '--engine', 'tfjs', '--out', onCpu]);
    const gpu = await captionFiles([photos.dir, ...base, '--backend', 'webgpu', '--out', onGpu]);
    expect([cpu.exitCode, gpu.exitCode], gpu.stderr).toEqual([0, 0]);
    expect(gpu.stderr).toMatch(/tfjs backend: webgpu .* on tfjs \(beam 3/s);
    const captions = async (path: string) => (await readJsonl(path)).map(({ file, caption }) => [file, caption]);
    expect(await captions(onGpu)).toEqual(await captions(onCpu));
  }, 120_000);
});
