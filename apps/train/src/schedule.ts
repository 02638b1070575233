/** Learning rate at `step` (0-based): linear warmup to the peak over `warmupSteps`, then constant. */
export function getLr(step: number, peak: number, warmupSteps: number): number {
  if (warmupSteps <= 0) return peak;
  return peak * Math.min(1, (step + 1) / warmupSteps);
}
