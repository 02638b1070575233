import { describe, expect, it } from 'vitest';
import { loadCaptionService } from './caption-service.js';
import { parseServerArgs } from './server.js';
import { patternedImage as image } from './test-helpers/patterned-image.js';
import { useTinyBundle } from './test-helpers/tiny-bundle.js';

const fixture = useTinyBundle('imgcap-serve-onnx-');
const seedFixture = useTinyBundle('imgcap-serve-onnx-seed-', 'seed');

describe('--engine onnx', () => {
  it('is parsed, and refused when unknown', () => {
    expect(parseServerArgs(['--model', 'm', '--engine', 'onnx']).engine).toBe('onnx');
    expect(parseServerArgs(['--model', 'm']).engine).toBeUndefined();
    const stderr = process.stderr.write;
    process.stderr.write = () => true;
    try {
      expect(() => parseServerArgs(['--model', 'm', '--engine', 'tensorrt'])).toThrow(
        /Allowed choices are auto, tfjs, onnx/,
      );
    } finally {
      process.stderr.write = stderr;
    }
  });

  it.each([
    ['imgcap', fixture],
    ['seed', seedFixture],
  ] as const)('captions exactly as the tfjs engine does, greedy and beam (arch %s)', async (arch, bundle) => {
    const tfjs = await loadCaptionService(bundle.bundle, { backend: 'wasm', engine: 'tfjs' });
    const onnx = await loadCaptionService(bundle.bundle, { backend: 'wasm' }); // the default, auto: onnx on wasm
    try {
      expect([tfjs.engine, onnx.engine]).toEqual(['tfjs (wasm)', 'onnx']);
      expect(tfjs.architecture).toBe(arch);
      for (const beam of [1, 3]) {
        for (const seed of [1, 2, 3]) {
          const expected = await tfjs.caption(image(seed), { beam });
          const actual = await onnx.caption(image(seed), { beam });
          expect(actual.words).toEqual(expected.words);
          expect(actual.score).toBeCloseTo(expected.score, 4);
        }
      }
    } finally {
      tfjs.dispose();
      onnx.dispose();
    }
  });
});

describe('a bundle the server cannot write into (mounted read-only)', () => {
  const blocked = useTinyBundle('imgcap-serve-ro-');
  it('serves on the ONNX engine from a scratch export, without writing into the bundle', async () => {
    const { writeFile, readFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    await writeFile(join(blocked.bundle, 'onnx'), 'read-only');
    const engine = await loadCaptionService(blocked.bundle, { backend: 'wasm', engine: 'onnx' });
    try {
      expect(engine.engine).toBe('onnx');
      expect((await engine.caption(image(2), { beam: 2 })).words.length).toBeGreaterThan(0);
      expect(await readFile(join(blocked.bundle, 'onnx'), 'utf8')).toBe('read-only');
    } finally {
      engine.dispose();
    }
  });
});
