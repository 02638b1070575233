import type { WandbClient, WandbInitOptions, WandbRun } from '../wandb-sink.js';

export interface LoggedCall {
  data: Record<string, unknown>;
  step: number | undefined;
}

/** A stand-in for `@wandb/sdk` that records calls; `behaviour` makes it fail or hang like a dead service. */
export function fakeWandb(behaviour: { init?: 'reject' | 'hang'; log?: 'throw'; finish?: 'hang' } = {}) {
  const inits: WandbInitOptions[] = [];
  const logs: LoggedCall[] = [];
  let finishes = 0;
  const run: WandbRun = {
    id: 'fake-run-id',
    entity: 'fake-entity',
    project: 'fake-project',
    log(data, step) {
      if (behaviour.log === 'throw') throw new Error('socket hang up');
      // The real Run.log writes `_step` into the object it is given.
      data['_step'] = step;
      logs.push({ data: { ...data }, step });
    },
    async finish() {
      finishes += 1;
      if (behaviour.finish === 'hang') await new Promise(() => {});
    },
  };
  const client: WandbClient = {
    async init(options) {
      inits.push(options);
      if (behaviour.init === 'reject') throw new Error('401 Unauthorized');
      if (behaviour.init === 'hang') await new Promise(() => {});
      return run;
    },
  };
  return { client, inits, logs, finishCount: () => finishes };
}
