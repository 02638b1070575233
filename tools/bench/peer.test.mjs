import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchPeerGroup, trainRatios } from './peer.mjs';

let dir;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imgcap-peer-'));
  // A stand-in peer: prints what the real one prints, with its rate depending on the --embed flag it was given.
  await writeFile(
    join(dir, 'peer.mjs'),
    `const embed = Number(process.argv[process.argv.indexOf('--embed') + 1]);
console.log('noise on stdout first');
console.log(JSON.stringify({ torch: 'fake', train_examples_per_s: embed === 512 ? 40 : 80 }));`,
  );
  await writeFile(
    join(dir, 'fails.mjs'),
    `console.error('ModuleNotFoundError: No module named torch'); process.exit(1);`,
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the PyTorch peer group', () => {
  it('runs the peer on each peer case with its shape flags and keeps its JSON line', async () => {
    const env = { IMGCAP_PYTHON: process.execPath, IMGCAP_TORCH_PEER: join(dir, 'peer.mjs') };
    const result = await benchPeerGroup({ quick: true, env });
    expect(result.available).toBe(true);
    expect(result.seed).toMatchObject({ case: 'seed_d512_ff256_h2x4_seq36_b64', train_examples_per_s: 40 });
    expect(result.d256).toMatchObject({ case: 'd256_ff512_h2x4_seq24_b32', train_examples_per_s: 80 });
  });

  it('says why when the peer cannot run, instead of failing the bench', async () => {
    const missing = await benchPeerGroup({ quick: true, env: { IMGCAP_TORCH_PEER: join(dir, 'nope.py') } });
    expect(missing).toEqual({ available: false, reason: expect.stringContaining('no peer script') });
    const env = { IMGCAP_PYTHON: process.execPath, IMGCAP_TORCH_PEER: join(dir, 'fails.mjs') };
    const failed = await benchPeerGroup({ quick: true, env });
    expect(failed).toEqual({ available: false, reason: expect.stringContaining('No module named torch') });
  });

  it('reports each configuration over the peer, per peer case', () => {
    const decoder = {
      seed_d512_ff256_h2x4_seq36_b64: {
        onnx_kernels: { examples_per_s: { median: 50 } },
        wasm_kernels: { examples_per_s: { median: 20 } },
      },
      d256_ff512_h2x4_seq24_b32: { onnx_kernels: { examples_per_s: { median: 100 } } },
    };
    const peer = { available: true, seed: { train_examples_per_s: 40 }, d256: { train_examples_per_s: 80 } };
    expect(trainRatios(decoder, peer)).toEqual({
      seed: { pytorch_examples_per_s: 40, onnx_kernels: 1.25, wasm_kernels: 0.5 },
      d256: { pytorch_examples_per_s: 80, onnx_kernels: 1.25 },
    });
    expect(trainRatios(decoder, { available: false })).toBeUndefined();
  });
});
