import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEval, setUpTinyEvalRun, syntheticEvalArgs } from '../test-helpers/tiny-run.js';

let root: string;
let dataDir: string;
let runDir: string;
let out: string;

beforeAll(async () => {
  ({ root, dataDir, runDir } = await setUpTinyEvalRun('imgcap-eval-ro-', 'run-ro'));
  out = await mkdtemp(join(tmpdir(), 'imgcap-eval-ro-out-'));
  // What a read-only bundle looks like to the exporter and the writer: nothing can be created inside it.
  await writeFile(join(runDir, 'bundle', 'onnx'), 'read-only');
  await writeFile(join(runDir, 'eval-test-beam1'), 'read-only');
});
afterAll(() => Promise.all([root, out].map((d) => rm(d, { recursive: true, force: true }))));

describe('eval on a bundle it cannot write into', () => {
  it('captions on the ONNX engine (export in a scratch directory) into --out, leaving the bundle untouched', async () => {
    const run = await runEval([...syntheticEvalArgs(runDir, dataDir), '--beam', '1', '--engine', 'onnx', '--out', out]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8')).settings.engine).toBe('onnx');
    expect(await readFile(join(runDir, 'bundle', 'onnx'), 'utf8')).toBe('read-only');
  });

  it('says where else its outputs can go when the default location cannot be written', async () => {
    const run = await runEval([...syntheticEvalArgs(runDir, dataDir), '--beam', '1', '--engine', 'tfjs']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/cannot write the evaluation outputs into .*eval-test-beam1 \(EEXIST\); pass --out DIR/);
  });
});
