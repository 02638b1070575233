import { describe, expect, it } from 'vitest';
import { TINY_CONFIG, useTestBackend } from '../test-helpers/tiny-bundle.js';
import { benchOnnxLatency } from './bench-latency.js';

describe('benchOnnxLatency', () => {
  it('times both engines per beam width on captions they agree on', async () => {
    await useTestBackend();
    const results = await benchOnnxLatency({ config: TINY_CONFIG, beamWidths: [1, 2], repeats: 1 });
    expect(results.map((r) => r.beamWidth)).toEqual([1, 2]);
    for (const r of results) {
      expect(r.sameCaption).toBe(true);
      expect(r.generatedTokens).toBeGreaterThan(0);
      expect(r.tfjsMs).toBeGreaterThan(0);
      expect(r.onnxMs).toBeGreaterThan(0);
      expect(r.speedup).toBeCloseTo(r.tfjsMs / r.onnxMs, 9);
    }
  });

  it('times whole-image captions, backbone included, when asked', async () => {
    await useTestBackend();
    const [result] = await benchOnnxLatency({ config: TINY_CONFIG, beamWidths: [1], repeats: 1, input: 'image' });
    expect(result!.sameCaption).toBe(true);
    expect(result!.generatedTokens).toBeGreaterThan(0);
  });
});
