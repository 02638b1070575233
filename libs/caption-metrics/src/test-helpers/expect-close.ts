import { expect } from 'vitest';

/** pycocoevalcap agreement: within 1e-9 relative (or 1e-12 absolute, for scores that are ~0). */
export function expectClose(actual: number, expected: number, relative = 1e-9): void {
  expect(Number.isFinite(actual), `${actual} is not finite`).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-12 + relative * Math.abs(expected));
}
