import { describe, it, expect } from 'vitest';
import { AdmissionControl } from './admission.js';
import { HttpError } from './errors.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const limits = { maxInflight: 1, maxQueue: 1, queueTimeoutMs: 1000 };

describe('AdmissionControl', () => {
  it('runs up to maxInflight jobs, queues maxQueue, and refuses the rest at once with 503', async () => {
    const admission = new AdmissionControl({ ...limits, maxInflight: 2 });
    const gate = deferred();
    const order: string[] = [];
    const job = (name: string) => admission.run(async () => (order.push(`start ${name}`), await gate.promise, name));
    const [a, b, c] = [job('a'), job('b'), job('c')];
    expect([admission.inflight, admission.queued, admission.hasRoom()]).toEqual([2, 1, false]);
    const refused = await job('d').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused).toMatchObject({ statusCode: 503, code: 'over_capacity', retryAfterSeconds: 1 });
    expect(order).toEqual(['start a', 'start b']);
    gate.resolve();
    expect(await Promise.all([a, b, c])).toEqual(['a', 'b', 'c']);
    expect([admission.inflight, admission.queued]).toEqual([0, 0]);
  });

  it('gives up on a queued job after queueTimeoutMs and frees its queue place', async () => {
    const admission = new AdmissionControl({ ...limits, queueTimeoutMs: 30 });
    const gate = deferred();
    const running = admission.run(() => gate.promise);
    const waited = await admission.run(async () => 'never').catch((err: unknown) => err);
    expect(waited).toMatchObject({ statusCode: 503, code: 'queue_timeout' });
    expect(admission.queued).toBe(0);
    gate.resolve();
    await running;
  });

  it('frees the slot when a job fails', async () => {
    const admission = new AdmissionControl(limits);
    await expect(admission.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(admission.inflight).toBe(0);
    await expect(admission.run(async () => 'next')).resolves.toBe('next');
  });

  it('whenIdle waits for running and queued jobs', async () => {
    const admission = new AdmissionControl(limits);
    const gate = deferred();
    const jobs = [admission.run(() => gate.promise), admission.run(async () => undefined)];
    let idle = false;
    const whenIdle = admission.whenIdle().then(() => (idle = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(idle).toBe(false);
    gate.resolve();
    await Promise.all([...jobs, whenIdle]);
    expect(idle).toBe(true);
  });
});
