import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEval, setUpTinyEvalRun, syntheticEvalArgs } from '../test-helpers/tiny-run.js';

let root: string;
let dataDir: string;
let runDir: string;
let parameters: number;

beforeAll(async () => {
  ({ root, dataDir, runDir, parameters } = await setUpTinyEvalRun('imgcap-eval-onnx-', 'run'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

interface EvalOutputs {
  captions: string;
  metrics: { metrics: Record<string, number>; settings: Record<string, unknown>; model: Record<string, unknown> };
}

async function evaluate(engine: string, beam: number): Promise<EvalOutputs> {
  const out = join(root, `out-${engine}-${beam}`);
  const args = [...syntheticEvalArgs(runDir, dataDir), '--examples', '0'];
  const { stderr, exitCode } = await runEval([...args, '--beam', String(beam), '--engine', engine, '--out', out]);
  expect(exitCode, stderr).toBe(0);
  return {
    captions: await readFile(join(out, 'captions.json'), 'utf8'),
    metrics: JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8')),
  };
}

describe('eval --engine onnx', () => {
  it.each([1, 3])('writes the same captions and scores as --engine tfjs with beam %i', async (beam) => {
    const tfjs = await evaluate('tfjs', beam);
    const onnx = await evaluate('onnx', beam);
    const expected = JSON.parse(tfjs.captions) as { image_id: string; caption: string }[];
    expect(expected).toHaveLength(3);
    expect(JSON.parse(onnx.captions)).toEqual(expected);
    expect(onnx.metrics.metrics).toEqual(tfjs.metrics.metrics);
    expect(onnx.metrics.settings).toMatchObject({ engine: 'onnx' });
    expect(onnx.metrics.model).toMatchObject({ parameters });
  });

  it('runs on ONNX Runtime by default on wasm (auto), and says so in metrics.json', async () => {
    const out = join(root, 'out-auto');
    const { exitCode } = await runEval([...syntheticEvalArgs(runDir, dataDir), '--examples', '0', '--out', out]);
    expect(exitCode).toBe(0);
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8')) as {
      settings: { engine: string; backend: string };
    };
    expect(metrics.settings).toMatchObject({ engine: 'onnx', backend: 'wasm' });
  });

  it('refuses an unknown engine, naming the choices', async () => {
    const { stderr, exitCode } = await runEval([
      '--model',
      runDir,
      '--dataset',
      'synthetic',
      '--data_dir',
      dataDir,
      '--engine',
      'tensorrt',
    ]);
    expect(exitCode).not.toBe(0);
    expect(stderr).toMatch(/Allowed choices are auto, tfjs, onnx/);
  });
});
