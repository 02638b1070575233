import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointStore, type LoopState } from './checkpoints.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imgcap-checkpoints-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const state = (step: number): LoopState => ({
  epoch: 0,
  batchInEpoch: step,
  globalStep: step,
  examplesSeen: step * 8,
  best: null,
  epochsWithoutImprovement: 0,
  trainSeconds: 1,
});
const weights = (step: number) => async (target: string) => {
  await mkdir(join(target, 'bundle', 'model'), { recursive: true });
  await writeFile(join(target, 'bundle', 'model', 'weights.bin'), Buffer.alloc(4096, step));
};

/** Flips one byte in place: same size, different content. */
async function flipByte(file: string): Promise<void> {
  const bytes = await readFile(file);
  bytes[100] ^= 0xff;
  await writeFile(file, bytes);
}

describe('checkpoints that look right but are not', () => {
  it('refuse to resume, naming the damaged file and the newest whole checkpoint', async () => {
    const store = new CheckpointStore(join(dir, 'run'), 5);
    const older = await store.save(state(3), weights(3));
    const newer = await store.save(state(6), weights(6));
    expect((await store.latest())?.state).toEqual(state(6));
    await flipByte(join(newer, 'bundle', 'model', 'weights.bin'));
    await expect(store.latest()).rejects.toThrow(
      new RegExp(
        `checkpoint ${newer}: .*weights\\.bin does not match its recorded sha256.*the newest whole checkpoint is ${older}: remove ${newer}`,
      ),
    );
    await rm(newer, { recursive: true });
    expect((await store.latest())?.state).toEqual(state(3));
  });

  it('refuse a damaged best checkpoint the same way', async () => {
    const store = new CheckpointStore(join(dir, 'run-best'), 5);
    await store.save(state(2), weights(2), { best: true });
    await flipByte(join(store.dir, 'best', 'bundle', 'model', 'weights.bin'));
    await expect(store.best()).rejects.toThrow(/best checkpoint .*weights\.bin does not match its recorded sha256/);
  });
});

describe('a kill while best/ is being replaced', () => {
  it('between the two renames: the complete new copy is put in place on the next start', async () => {
    const store = new CheckpointStore(join(dir, 'run-swap'), 5);
    await store.save(state(4), weights(4), { best: true });
    const best = join(store.dir, 'best');
    // What writeAtomically leaves when killed after renaming best away and before renaming the new copy in.
    const { rename, cp } = await import('node:fs/promises');
    await cp(best, join(store.dir, '.tmp-best-4242'), { recursive: true });
    await rename(best, join(store.dir, '.old-best-4242'));
    await store.latest();
    expect((await store.best())?.state).toEqual(state(4));
    expect((await readdir(store.dir)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('with only the old copy whole (the new one torn), the old one is put back', async () => {
    const store = new CheckpointStore(join(dir, 'run-swap-old'), 5);
    await store.save(state(5), weights(5), { best: true });
    const { rename, mkdir: makeDir } = await import('node:fs/promises');
    await rename(join(store.dir, 'best'), join(store.dir, '.old-best-77'));
    await makeDir(join(store.dir, '.tmp-best-77')); // torn: no state.json
    await store.latest();
    expect((await store.best())?.state).toEqual(state(5));
  });

  it('refuse a state.json that lists files outside the checkpoint, before hashing any', async () => {
    const store = new CheckpointStore(join(dir, 'escaping-run'), 5);
    const saved = await store.save(state(4), weights(4));
    const stateFile = join(saved, 'state.json');
    const json = JSON.parse(await readFile(stateFile, 'utf8')) as { files: Record<string, string> };
    json.files['../../../../dev/zero'] = 'x';
    await writeFile(stateFile, JSON.stringify(json));
    const started = performance.now();
    await expect(store.latest()).rejects.toThrow(/"\.\.\/\.\.\/\.\.\/\.\.\/dev\/zero" leaves the directory/);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
