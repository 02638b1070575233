import { describe, it, expect } from 'vitest';
import {
  countEfficientNetParams,
  efficientNetPlan,
  roundFilters,
  roundRepeats,
  type EfficientNetVariant,
} from './efficientnet-spec.js';

// Keras's published totals: [with top, without top].
const KERAS_PARAMS: Record<EfficientNetVariant, [number, number]> = {
  b0: [5_330_571, 4_049_571],
  b1: [7_856_239, 6_575_239],
  b2: [9_177_569, 7_768_569],
  b3: [12_320_535, 10_783_535],
  b4: [19_466_823, 17_673_823],
  b5: [30_562_527, 28_513_527],
  b6: [43_265_143, 40_960_143],
  b7: [66_658_687, 64_097_687],
};

describe('EfficientNet plan', () => {
  it.each(Object.entries(KERAS_PARAMS))('%s counts the same parameters as Keras', (variant, [top, noTop]) => {
    const v = variant as EfficientNetVariant;
    expect(countEfficientNetParams(v, { includeTop: true })).toBe(top);
    expect(countEfficientNetParams(v)).toBe(noTop);
  });

  it('rounds filters like Keras round_filters, including the 10% floor', () => {
    expect(roundFilters(32, 1.0)).toBe(32);
    expect(roundFilters(32, 1.1)).toBe(32); // 35.2 → 32 (within 10%)
    expect(roundFilters(16, 1.1)).toBe(16); // 17.6 → 16 is 9.1% below → kept
    expect(roundFilters(40, 1.1)).toBe(48); // 44 → int(48)//8*8 = 48
    expect(roundFilters(1280, 1.4)).toBe(1792);
    expect(roundFilters(1, 1.0)).toBe(8); // never below the divisor
  });

  it('rounds repeats up like Keras round_repeats', () => {
    expect(roundRepeats(2, 1.1)).toBe(3);
    expect(roundRepeats(1, 1.0)).toBe(1);
    expect(roundRepeats(4, 3.1)).toBe(13);
  });

  it('names blocks by stage and letter and gives residual blocks a growing drop-connect rate', () => {
    const plan = efficientNetPlan('b0');
    expect(plan.blocks.map((b) => b.name).slice(0, 4)).toEqual(['block1a_', 'block2a_', 'block2b_', 'block3a_']);
    expect(plan.blocks).toHaveLength(16);
    const block2b = plan.blocks[2];
    expect(block2b).toMatchObject({ strides: 1, filtersIn: 24, filtersOut: 24, hasResidual: true, seFilters: 6 });
    expect(block2b.dropRate).toBeCloseTo((0.2 * 2) / 16, 12);
    expect(plan.blocks[1].hasResidual).toBe(false); // stride 2
  });

  it('rejects an unknown variant naming the allowed ones', () => {
    expect(() => efficientNetPlan('b8' as EfficientNetVariant)).toThrow(/'b8'.*b0, b1, b2, b3, b4, b5, b6, b7/);
  });
});
