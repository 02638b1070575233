import type { TrainConfig } from './config.js';

export async function runTraining(_config: TrainConfig): Promise<number> {
  throw new Error('training is not wired yet');
}
