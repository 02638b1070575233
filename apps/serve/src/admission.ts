import { unavailable } from './errors.js';

export interface AdmissionLimits {
  /** Jobs running at once. */
  maxInflight: number;
  /** Jobs waiting for a slot; one more is refused at once. */
  maxQueue: number;
  /** Longest wait for a slot before giving up. */
  queueTimeoutMs: number;
}

interface Waiter {
  admit: () => void;
  timer: NodeJS.Timeout;
}

/**
 * Bounds captioning work: a fixed number of jobs run, a short queue waits, everything beyond is refused with a
 * 503 at once. A growing queue only turns overload into timeouts for everyone.
 */
export class AdmissionControl {
  #inflight = 0;
  readonly #queue: Waiter[] = [];
  #idle: (() => void)[] = [];

  constructor(private readonly limits: AdmissionLimits) {}

  get inflight(): number {
    return this.#inflight;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Whether a new job would be admitted or queued now (lets a handler refuse before reading an upload). */
  hasRoom(): boolean {
    return this.#inflight < this.limits.maxInflight || this.#queue.length < this.limits.maxQueue;
  }

  /** Runs `job` when a slot is free; its slot stays taken until the job settles, even if the caller gave up. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    await this.#acquire();
    try {
      return await job();
    } finally {
      this.#release();
    }
  }

  /** Resolves once nothing runs and nothing waits. */
  whenIdle(): Promise<void> {
    if (this.#inflight === 0 && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #acquire(): Promise<void> {
    if (this.#inflight < this.limits.maxInflight) {
      this.#inflight++;
      return Promise.resolve();
    }
    if (this.#queue.length >= this.limits.maxQueue) {
      return Promise.reject(unavailable('over_capacity', 'The server is busy; retry shortly', 1));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        admit: () => {
          clearTimeout(waiter.timer);
          this.#inflight++;
          resolve();
        },
        timer: setTimeout(() => {
          this.#queue.splice(this.#queue.indexOf(waiter), 1);
          this.#notifyIfIdle();
          reject(unavailable('queue_timeout', `No captioning slot freed within ${this.limits.queueTimeoutMs} ms`, 1));
        }, this.limits.queueTimeoutMs),
      };
      this.#queue.push(waiter);
    });
  }

  #release(): void {
    this.#inflight--;
    this.#queue.shift()?.admit();
    this.#notifyIfIdle();
  }

  #notifyIfIdle(): void {
    if (this.#inflight > 0 || this.#queue.length > 0) return;
    const waiting = this.#idle;
    this.#idle = [];
    for (const resolve of waiting) resolve();
  }
}
