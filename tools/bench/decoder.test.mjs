import { SpecialTokens } from '@imgcap/tokenizer';
import { describe, expect, it } from 'vitest';
import { epochMinutes, FLICKR30K_TRAIN_EXAMPLES, randomTrainingBatch } from './decoder.mjs';

const shape = { batchSize: 16, seqLength: 12, vocabSize: 50, featureShape: [4, 3] };

describe('randomTrainingBatch', () => {
  const batch = randomTrainingBatch(shape, 5);
  const length = shape.seqLength - 1;
  const rows = Array.from({ length: shape.batchSize }, (_, row) => ({
    input: Array.from(batch.inputTokens.subarray(row * length, (row + 1) * length)),
    target: Array.from(batch.targetTokens.subarray(row * length, (row + 1) * length)),
  }));

  it('has the trainer’s array sizes', () => {
    expect(batch.inputTokens).toHaveLength(16 * 11);
    expect(batch.targetTokens).toHaveLength(16 * 11);
    expect(batch.features).toHaveLength(16 * 4 * 3);
  });

  it('starts every input with the start marker and shifts targets by one, ending with the end marker', () => {
    for (const { input, target } of rows) {
      expect(input[0]).toBe(SpecialTokens.start);
      const words = target.indexOf(SpecialTokens.end);
      expect(words).toBeGreaterThanOrEqual(5);
      expect(input.slice(1, words + 1)).toEqual(target.slice(0, words));
    }
  });

  it('draws words from the non-special ids only and pads the rest with 0', () => {
    for (const { input, target } of rows) {
      const words = target.indexOf(SpecialTokens.end);
      for (const id of target.slice(0, words)) expect(id).toBeGreaterThan(SpecialTokens.end);
      for (const id of target.slice(0, words)) expect(id).toBeLessThan(shape.vocabSize);
      expect(target.slice(words + 1).every((id) => id === SpecialTokens.pad)).toBe(true);
      expect(input.slice(words + 1).every((id) => id === SpecialTokens.pad)).toBe(true);
    }
    expect(rows.some(({ target }) => target.at(-1) === SpecialTokens.pad)).toBe(true);
  });

  it('is the same batch for the same seed and a different one for another seed', () => {
    expect(randomTrainingBatch(shape, 5).inputTokens).toEqual(batch.inputTokens);
    expect(randomTrainingBatch(shape, 6).inputTokens).not.toEqual(batch.inputTokens);
  });
});

describe('trainConfigurations', () => {
  it("times train's default replicas, on wasm with ONNX Runtime's kernels and with tfjs's own", async () => {
    const { trainConfigurations } = await import('./decoder.mjs');
    expect(trainConfigurations('wasm', 2)).toEqual([
      { name: 'onnx_kernels', kernels: 'onnx', replicas: 2 },
      { name: 'wasm_kernels', kernels: 'wasm', replicas: 2 },
    ]);
    expect(trainConfigurations('tensorflow', 16)).toEqual([
      { name: 'tensorflow_kernels', kernels: 'tensorflow', replicas: 1 },
    ]);
  });
});

describe('epochMinutes', () => {
  it('counts whole steps over the Flickr30k training examples', () => {
    expect(FLICKR30K_TRAIN_EXAMPLES).toBe(143_025);
    // 143,025 / 64 → 2,235 steps (the last one partial) × 1.2 s = 44.7 min.
    expect(epochMinutes(64, 1.2)).toBe(44.7);
  });
});
