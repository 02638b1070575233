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
