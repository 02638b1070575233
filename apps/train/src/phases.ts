// The protocol between the training loop and its phases (cross-entropy epochs in loop.ts, self-critical ones in
// scst/phase.ts): its own module, so neither imports the other for it.

export interface LoopIO {
  log: (message: string) => void;
  /** Test hook: called after every optimizer step with the step's loss. */
  onStep?: (step: number, loss: number) => void;
  /** True once SIGINT/SIGTERM arrived: the loop checkpoints after the current step and stops. */
  isInterrupted: () => boolean;
}

/** One step of either phase: how many examples it trains on, its learning rate, and the step itself. */
export interface PhaseStep {
  examples: number;
  lr: number;
  run: () => Promise<{ loss: number; accuracy?: number; reward?: number; baseline?: number }>;
}

/** One epoch of a phase: where its metrics go ('train' cross-entropy, 'scst'), its batch count and its steps. */
export interface PhaseEpoch {
  split: 'train' | 'scst';
  batches: number;
  each: AsyncIterable<PhaseStep>;
}
