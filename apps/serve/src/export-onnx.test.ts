import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCaptionService } from './caption-service.js';
import { patternedImage } from './test-helpers/patterned-image.js';
import { useTinyBundle } from './test-helpers/tiny-bundle.js';

const fixture = useTinyBundle('imgcap-serve-export-');
const script = join(import.meta.dirname, '..', 'dist', 'export-onnx.js');

describe('export-onnx (run when the Docker image is built)', () => {
  it('writes BUNDLE/onnx once, and the ONNX engine then uses it without writing', async () => {
    const first = spawnSync(process.execPath, [script, fixture.bundle], { encoding: 'utf8' });
    expect(first.status, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ onnx: join(fixture.bundle, 'onnx'), exported: true });
    const manifest = await readFile(join(fixture.bundle, 'onnx', 'onnx-manifest.json'), 'utf8');
    const again = spawnSync(process.execPath, [script, fixture.bundle], { encoding: 'utf8' });
    expect(JSON.parse(again.stdout).exported).toBe(false);
    const engine = await loadCaptionService(fixture.bundle, { backend: 'wasm', engine: 'onnx' });
    expect(engine.backboneWeights).toBe('patch8@32: raw pixel patches, no pretrained weights');
    expect((await engine.caption(patternedImage(1), {})).words.length).toBeGreaterThan(0);
    engine.dispose();
    expect(await readFile(join(fixture.bundle, 'onnx', 'onnx-manifest.json'), 'utf8')).toBe(manifest);
  }, 60_000);

  it('names a directory that is not a bundle', () => {
    const child = spawnSync(process.execPath, [script, join(fixture.dir, 'nothing-here')], { encoding: 'utf8' });
    expect(child.status).toBe(1);
    expect(child.stderr).toMatch(/^error: .*nothing-here is not a caption bundle/);
  });
});
