// The server on WebGPU (`--backend webgpu`: tfjs runs the model, no ONNX export): the captions of the cpu backend,
// and no tfjs tensor left behind per request.
import { describe, expect, it } from 'vitest';
import { loadCaptionService } from './caption-service.js';
import { patternedImage } from './test-helpers/patterned-image.js';
import { useTinyBundle } from './test-helpers/tiny-bundle.js';

const fixture = useTinyBundle('imgcap-serve-webgpu-');

describe('serve --backend webgpu', () => {
  it('captions as the cpu backend does (greedy and beam 3), leak-free per caption', async () => {
    const captions = async (backend: 'cpu' | 'webgpu') => {
      const engine = await loadCaptionService(fixture.bundle, { backend, engine: 'auto', maxBatch: 4 });
      const engineName = engine.engine;
      const results = [];
      for (const seed of [1, 2, 3]) {
        for (const beam of [1, 3]) results.push((await engine.caption(patternedImage(seed), { beam })).words);
      }
      const before = engine.tensorsAlive?.();
      await engine.caption(patternedImage(9), { beam: 3 });
      const leaked = (engine.tensorsAlive?.() ?? 0) - (before ?? 0);
      engine.dispose();
      return { engineName, results, leaked };
    };
    const gpu = await captions('webgpu');
    expect(gpu.engineName).toBe('tfjs (webgpu)');
    expect(gpu.leaked).toBe(0);
    const cpu = await captions('cpu');
    expect(gpu.results).toEqual(cpu.results);
    expect(gpu.results.some((words) => words.length > 0)).toBe(true);
  }, 120_000);
});
