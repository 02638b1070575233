import { describe, it, expect } from 'vitest';
import { DEFAULT_LIMITS, resolveLimits } from './limits.js';

describe('resolveLimits', () => {
  it('merges overrides into the defaults', () => {
    expect(resolveLimits({ maxInflight: 3, maxQueue: 0 })).toEqual({ ...DEFAULT_LIMITS, maxInflight: 3, maxQueue: 0 });
  });

  it.each([
    [{ maxInflight: 0 }, 'Limit maxInflight must be an integer ≥ 1; got 0'],
    [{ maxPixels: 1.5 }, 'Limit maxPixels must be an integer ≥ 1; got 1.5'],
    [{ maxQueue: -1 }, 'Limit maxQueue must be an integer ≥ 0; got -1'],
    [{ maxInFlight: 2 } as never, 'Unknown limit "maxInFlight"; known: maxInflight, maxQueue'],
  ])('rejects %o naming it', (overrides, message) => {
    expect(() => resolveLimits(overrides)).toThrow(message);
  });
});
