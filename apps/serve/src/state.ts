import type { AdmissionControl } from './admission.js';
import type { CaptionService } from './caption-service.js';
import type { ServeLimits } from './limits.js';

/** Counts caption requests from their first byte to their answer, so draining also waits for uploads in progress. */
export class ActiveRequests {
  #count = 0;
  #idle: (() => void)[] = [];

  get count(): number {
    return this.#count;
  }

  async track<T>(work: () => Promise<T>): Promise<T> {
    this.#count++;
    try {
      return await work();
    } finally {
      this.#count--;
      if (this.#count === 0) for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  whenIdle(): Promise<void> {
    return this.#count === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }
}

/** What the routes share: the caption service once loaded and warmed, whether we are draining, and the work bounds. */
export interface ServingState {
  service: CaptionService | undefined;
  draining: boolean;
  /** Uploads still being received: draining cuts them (a trickling client must not hold the shutdown). */
  readonly receiving: Set<() => void>;
  readonly admission: AdmissionControl;
  readonly active: ActiveRequests;
  readonly limits: ServeLimits;
}

/** Seconds a client should wait before retrying while the server loads or drains. */
export const NOT_READY_RETRY_SECONDS = 5;
