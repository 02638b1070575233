import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFile, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePhotoFolder, type PhotoFolder } from '../test-helpers/photo-folder.js';
import { setUpTinyEvalRun } from '../test-helpers/tiny-run.js';

// The built CLI, as a Job's pod runs it: `npx nx run eval:build` first.
const MAIN = join(import.meta.dirname, '..', '..', 'dist', 'main.js');
const BLOCKER = 'zz-blocker.jpg';

let root: string;
let photos: PhotoFolder;
let child: ChildProcess | undefined;

beforeAll(async () => {
  let dataDir: string;
  ({ root, dataDir } = await setUpTinyEvalRun('imgcap-caption-files-kill-', 'run'));
  photos = await makePhotoFolder(dataDir, join(root, 'photos'), 6);
  // A named pipe with no writer: reading it blocks forever, so the run reliably stops at this file (it sorts last)
  // with every earlier batch written, and the kill below always lands mid-run however fast the machine is.
  execFileSync('mkfifo', [join(root, BLOCKER)]);
});
afterAll(async () => {
  // A failed test must not leave a child blocked on the pipe forever.
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
});

// Relative inputs from the fixture's root, so `file` reads as a user would type it.
const args = (out: string, ...more: string[]) => [
  MAIN,
  'caption-files',
  'photos',
  BLOCKER,
  ...['--model', 'run', '--backend', 'wasm', '--engine', 'tfjs', '--beam', '1', '--batch_size', '1', '--quiet'],
  ...['--out', out, ...more],
];
const childEnv = () => {
  const env = { ...process.env };
  delete env.JOB_COMPLETION_INDEX;
  delete env.IMGCAP_SHARD_COUNT;
  return env;
};

async function completeLines(path: string): Promise<number> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').length - 1;
}

/** Starts the CLI, waits for its first complete output line, and SIGKILLs it: what an evicted pod goes through. */
async function startAndKill(out: string): Promise<string> {
  const proc = spawn(process.execPath, args(out), { cwd: root, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    proc.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  const deadline = Date.now() + 60_000;
  while ((await completeLines(join(root, out))) < 1) {
    if (proc.exitCode !== null) throw new Error(`caption-files exited early (${proc.exitCode}): ${stderr}`);
    if (Date.now() > deadline) throw new Error(`no output line after 60 s: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  proc.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  return stderr;
}

describe('eval caption-files, killed and resumed (built CLI)', () => {
  it('a SIGKILLed run resumes with --resume: only the remaining files are captioned, each file once', async () => {
    expect((await stat(MAIN).catch(() => undefined))?.isFile(), `${MAIN} missing: run npx nx run eval:build`).toBe(
      true,
    );
    await startAndKill('out.jsonl');
    const before = await completeLines(join(root, 'out.jsonl'));
    expect(before).toBeGreaterThanOrEqual(1);
    expect(before).toBeLessThanOrEqual(photos.good.length);

    // The file it hung on becomes a real image, as a flaky mount that recovers would.
    await rm(join(root, BLOCKER));
    await copyFile(join(photos.dir, photos.good[0]), join(root, BLOCKER));
    const run = promisify(execFile);
    const resumed = await run(process.execPath, args('out.jsonl', '--resume'), { cwd: root, env: childEnv() });
    expect(resumed.stderr).toMatch(new RegExp(`resuming out.jsonl: ${before} files already in it`));
    const summary = JSON.parse(resumed.stdout) as { captioned: number; skipped: number; already: number };
    expect(summary).toMatchObject({ already: before, skipped: 1 });
    expect(summary.captioned).toBe(photos.good.length + 1 - before);

    const reference = await run(process.execPath, args('reference.jsonl'), { cwd: root, env: childEnv() });
    expect(JSON.parse(reference.stdout)).toMatchObject({ captioned: photos.good.length + 1, skipped: 1 });
    const rows = (await readFile(join(root, 'out.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const expected = (await readFile(join(root, 'reference.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((row) => row.file)).toEqual([...photos.good.map((name) => `photos/${name}`), BLOCKER]);
    expect(rows).toEqual(expected);
  });
});
