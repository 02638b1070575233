import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveTinyBundle, TINY_CONFIG, useTestBackend } from '../test-helpers/tiny-bundle.js';
import { ensureOnnxExport, exportBundleToOnnx } from './export-bundle.js';

let dir: string;
let bundleDir: string;
beforeAll(async () => {
  await useTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'imgcap-onnx-export-'));
  bundleDir = await saveTinyBundle(dir, 'bundle');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('exportBundleToOnnx', () => {
  it('writes opset-17 graphs with the documented inputs and outputs, and a manifest naming them', async () => {
    const manifest = await exportBundleToOnnx(bundleDir);
    expect(manifest.opset).toBe(17);
    expect(manifest.backbone).toEqual({ id: 'patch4@8', imageSize: 8, onnx: 'backbone.onnx' });
    expect(manifest.tokenizer).toBe(join('..', 'tokenizer.json'));
    const onnxDir = join(bundleDir, 'onnx');
    const model = onnxProto.onnx.ModelProto.decode(await readFile(join(onnxDir, 'decoder_step.onnx')));
    expect(Number(model.opsetImport[0]!.version)).toBe(17);
    const session = await ort.InferenceSession.create(join(onnxDir, 'decoder_step.onnx'));
    expect(session.inputNames).toEqual(Object.keys(manifest.decoderStep.inputs));
    expect(session.outputNames).toEqual(Object.keys(manifest.decoderStep.outputs));
    await session.release();
    const encoder = await ort.InferenceSession.create(join(onnxDir, manifest.encoder.file));
    expect(encoder.outputNames).toEqual(['encoded', 'cross_keys', 'cross_values']);
    await encoder.release();
  });

  it('turns pixels into the same features as the tfjs patch backbone', async () => {
    const manifest = await exportBundleToOnnx(bundleDir, join(dir, 'out'));
    const { createFeatureExtractor, parseBackboneId } = await import('@imgcap/vision-backbone');
    const tf = await import('@tensorflow/tfjs-core');
    const extractor = await createFeatureExtractor(parseBackboneId(manifest.backbone.id));
    const pixels = Float32Array.from({ length: 2 * 8 * 8 * 3 }, (_, i) => (i * 53) % 256);
    const expected = tf.tidy(() => extractor.extract(tf.tensor4d(pixels, [2, 8, 8, 3])));
    const session = await ort.InferenceSession.create(join(dir, 'out', 'backbone.onnx'));
    const actual = (await session.run({ images: new ort.Tensor('float32', pixels, [2, 8, 8, 3]) }))['features']!;
    expect(actual.dims).toEqual([2, ...TINY_CONFIG.featureShape]);
    expect(Array.from(actual.data as Float32Array)).toEqual(Array.from(await expected.data()));
    expected.dispose();
    await session.release();
  });

  it('names a directory that is not a bundle', async () => {
    await expect(exportBundleToOnnx(join(dir, 'missing'))).rejects.toThrow(
      /not a caption bundle: bundle.json not found/,
    );
  });
});

describe('ensureOnnxExport', () => {
  it('exports beside the bundle, and reuses a current export', async () => {
    const fresh = await saveTinyBundle(dir, 'ensure-bundle');
    const first = await ensureOnnxExport(fresh);
    expect(first.dir).toBe(join(fresh, 'onnx'));
    const written = await Promise.all(['onnx-manifest.json', 'decoder_step.onnx'].map((f) => stat(join(first.dir, f))));
    const again = await ensureOnnxExport(fresh);
    expect(again).toEqual(first);
    // Reused, not redone: the same files, untouched (an export writes new files under temporary names).
    const after = await Promise.all(['onnx-manifest.json', 'decoder_step.onnx'].map((f) => stat(join(first.dir, f))));
    expect(after.map((s) => [s.ino, s.mtimeMs])).toEqual(written.map((s) => [s.ino, s.mtimeMs]));
  });

  it('exports to a scratch directory when the bundle directory is read-only (a container running as a non-root user)', async () => {
    const readOnly = await saveTinyBundle(dir, 'read-only-bundle');
    await chmod(dir, 0o755);
    await chmod(readOnly, 0o555);
    // Root ignores file modes, so as root the export runs as `nobody` in a child process, importing the packages by
    // name: without the source condition they resolve to their builds (this project's tests depend on its build).
    const asRoot = process.getuid?.() === 0;
    const script = [
      "const { selectBackend } = await import('@imgcap/tf-runtime');",
      "await selectBackend({ backend: 'wasm', log: () => {} });",
      "const { ensureOnnxExport } = await import('@imgcap/onnx-engine/export');",
      'const { dir } = await ensureOnnxExport(process.argv[1]);',
      'console.log(JSON.stringify({ dir }));',
    ].join('\n');
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, readOnly], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      encoding: 'utf8',
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    expect(child.stderr.split('\n').filter((line) => /Error/.test(line))).toEqual([]);
    const { dir: scratch } = JSON.parse(child.stdout.trim().split('\n').pop()!) as { dir: string };
    try {
      expect(scratch.startsWith(tmpdir())).toBe(true);
      expect(scratch).not.toContain(readOnly);
      const manifest = JSON.parse(await readFile(join(scratch, 'onnx-manifest.json'), 'utf8')) as { tokenizer: string };
      // The tokenizer path still leads back to the bundle.
      expect(JSON.parse(await readFile(join(scratch, manifest.tokenizer), 'utf8')).format).toBe(
        'imgcap-word-tokenizer',
      );
    } finally {
      await rm(scratch, { recursive: true, force: true });
      await chmod(readOnly, 0o755);
    }
  });

  it('falls back to a scratch directory whatever "cannot write here" looks like (here: a file where onnx/ goes)', async () => {
    const blocked = await saveTinyBundle(dir, 'blocked-bundle');
    await writeFile(join(blocked, 'onnx'), 'not a directory');
    const { dir: scratch, manifest } = await ensureOnnxExport(blocked);
    try {
      expect(scratch.startsWith(tmpdir())).toBe(true);
      expect(manifest.format).toBe('imgcap-onnx-export');
      expect(await readFile(join(blocked, 'onnx'), 'utf8')).toBe('not a directory');
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it('refuses a current export whose bundle weights were replaced since (same size), naming the file', async () => {
    const bundle = await saveTinyBundle(dir, 'replaced-weights');
    await ensureOnnxExport(bundle);
    const weights = join(bundle, 'model', 'weights.bin');
    const bytes = await readFile(weights);
    bytes[8] ^= 0xff;
    await writeFile(weights, bytes);
    await expect(ensureOnnxExport(bundle)).rejects.toThrow(/model\/weights\.bin does not match its recorded sha256/);
  });
});
