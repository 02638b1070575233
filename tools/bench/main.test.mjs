import { describe, expect, it } from 'vitest';
import { GROUPS, parseBenchArgs } from './main.mjs';

describe('parseBenchArgs', () => {
  it('runs every group, full length, on the automatic backend by default', () => {
    expect(parseBenchArgs([])).toEqual({
      backend: undefined,
      quick: false,
      groups: Object.keys(GROUPS),
      json: undefined,
      help: false,
    });
  });

  it('keeps --only groups in the suite order and passes the other flags through', () => {
    const options = parseBenchArgs(['--only', 'latency, matmul', '--quick', '--backend', 'cpu', '--json', 'out.json']);
    expect(options).toMatchObject({ groups: ['matmul', 'latency'], quick: true, backend: 'cpu', json: 'out.json' });
  });

  it('names an unknown group and lists the allowed ones', () => {
    expect(() => parseBenchArgs(['--only', 'matmul,http'])).toThrow(
      '--only got "matmul,http"; allowed groups: matmul, backbone, decoder, peer, latency, pipeline, onnx, serve',
    );
  });

  it('refuses unknown flags', () => {
    expect(() => parseBenchArgs(['--repeat', '3'])).toThrow(/--repeat/);
  });
});

describe('the PyTorch peer around the decoder group', () => {
  it('runs the peer before and after the decoder group, and only then', async () => {
    const { benchOrder } = await import('./main.mjs');
    expect(benchOrder(['matmul', 'decoder', 'peer', 'latency'])).toEqual([
      'matmul',
      'peer',
      'decoder',
      'peer',
      'latency',
    ]);
    expect(benchOrder(['matmul', 'peer'])).toEqual(['matmul', 'peer']);
  });

  it('keeps the faster peer run per case, with both rates', async () => {
    const { bestPeerRun } = await import('./main.mjs');
    const first = {
      available: true,
      threads: 2,
      seed: { train_examples_per_s: 40, x: 1 },
      d256: { train_examples_per_s: 90 },
    };
    const second = {
      available: true,
      threads: 2,
      seed: { train_examples_per_s: 45, x: 2 },
      d256: { train_examples_per_s: 80 },
    };
    expect(bestPeerRun(first, second)).toEqual({
      available: true,
      threads: 2,
      seed: { train_examples_per_s: 45, x: 2, train_examples_per_s_runs: [40, 45] },
      d256: { train_examples_per_s: 90, train_examples_per_s_runs: [90, 80] },
    });
    expect(bestPeerRun({ available: false, reason: 'r' }, second)).toBe(second);
  });
});
