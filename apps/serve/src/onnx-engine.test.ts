import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEngine } from './engine.js';
import { parseServerArgs } from './server.js';
import { patternedImage as image } from './test-helpers/patterned-image.js';
import { writeTinyBundle } from './test-helpers/tiny-bundle.js';

let dir: string;
let bundle: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imgcap-serve-onnx-'));
  bundle = await writeTinyBundle(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));


describe('--engine onnx', () => {
  it('is parsed, and refused when unknown', () => {
    expect(parseServerArgs(['--model', 'm', '--engine', 'onnx']).engine).toBe('onnx');
    expect(parseServerArgs(['--model', 'm']).engine).toBeUndefined();
    const stderr = process.stderr.write;
    process.stderr.write = () => true;
    try {
      expect(() => parseServerArgs(['--model', 'm', '--engine', 'tensorrt'])).toThrow(/Allowed choices are tfjs, onnx/);
    } finally {
      process.stderr.write = stderr;
    }
  });

  it('captions exactly as the tfjs engine does, greedy and beam', async () => {
    const tfjs = await loadEngine(bundle, { backend: 'wasm' });
    const onnx = await loadEngine(bundle, { backend: 'wasm', engine: 'onnx' });
    try {
      for (const beam of [1, 3]) {
        for (const seed of [1, 2, 3]) {
          const expected = await tfjs.caption(image(seed), { beam });
          const actual = await onnx.caption(image(seed), { beam });
          expect(actual.tokens).toEqual(expected.tokens);
          expect(actual.score).toBeCloseTo(expected.score, 4);
        }
      }
    } finally {
      tfjs.dispose();
      onnx.dispose();
    }
  });
});
