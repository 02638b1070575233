import { describe, expect, it } from 'vitest';
import { WordTokenizer } from '@imgcap/tokenizer';
import { batchCount, captionExamples, createBatches, type CaptionBatch } from './batches.js';
import type { ImageRecord } from './types.js';

const images: ImageRecord[] = Array.from({ length: 5 }, (_, i) => ({
  id: `${i}.jpg`,
  path: `/${i}.jpg`,
  split: 'train',
  captions: [`a dog number ${i}`, `a cat`],
}));
const tokenizer = WordTokenizer.fit(images.flatMap((i) => i.captions));
const examples = captionExamples(images, tokenizer, 6);
const featuresFor = async (ids: string[]) => ids.map((id) => `features of ${id}`);

async function collect(
  options: Partial<Parameters<typeof createBatches<string[]>>[0]> = {},
): Promise<CaptionBatch<string[]>[]> {
  const batches: CaptionBatch<string[]>[] = [];
  for await (const batch of createBatches({ examples, batchSize: 4, seed: 1, epoch: 0, featuresFor, ...options }))
    batches.push(batch);
  return batches;
}

describe('createBatches', () => {
  it('yields teacher-forcing inputs/targets shifted by one, [B*(L-1)]', async () => {
    const [batch] = await collect();
    expect(batch.steps).toBe(5);
    expect(batch.inputTokens).toHaveLength(4 * 5);
    expect(batch.targetTokens).toHaveLength(4 * 5);
    for (let row = 0; row < 4; row++) {
      const input = [...batch.inputTokens.subarray(row * 5, row * 5 + 5)];
      const example = examples.find(
        (e) => e.imageId === batch.imageIds[row] && [...e.tokens.subarray(0, 5)].join() === input.join(),
      );
      expect(example, `row ${row} input is tokens 0..L-2 of an example of its image`).toBeDefined();
      expect([...batch.targetTokens.subarray(row * 5, row * 5 + 5)]).toEqual([...example!.tokens.subarray(1)]);
    }
    expect(batch.features).toEqual(batch.imageIds.map((id) => `features of ${id}`));
  });

  it('covers every example once per epoch, with a smaller last batch unless dropRemainder', async () => {
    const batches = await collect();
    expect(batches.map((b) => b.batchSize)).toEqual([4, 4, 2]);
    const seen = batches.flatMap((b) =>
      Array.from({ length: b.batchSize }, (_, r) => [...b.targetTokens.subarray(r * 5, r * 5 + 5)].join()),
    );
    expect(seen.sort()).toEqual(examples.map((e) => [...e.tokens.subarray(1)].join()).sort());
    expect((await collect({ dropRemainder: true })).map((b) => b.batchSize)).toEqual([4, 4]);
    expect(batchCount(10, 4, true)).toBe(2);
  });

  it('repeats an order for the same (seed, epoch), changes it across epochs, and resumes mid-epoch', async () => {
    const ids = (bs: CaptionBatch<string[]>[]) => bs.map((b) => [...b.inputTokens].join()).join('|');
    expect(ids(await collect())).toBe(ids(await collect()));
    expect(ids(await collect())).not.toBe(ids(await collect({ epoch: 1 })));
    const full = await collect();
    expect(ids(await collect({ startBatch: 1 }))).toBe(ids(full.slice(1)));
  });

  it('names an invalid batch size', async () => {
    await expect(collect({ batchSize: 0 })).rejects.toThrow('batchSize must be an integer >= 1, got 0');
  });
});
