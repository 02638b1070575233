import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileChecksums, filesBelow, verifyChecksums } from '@imgcap/captioner/bundle';

/** Where the loop stands; saved with every checkpoint so `--resume` continues on the same path. */
export interface LoopState {
  /** Next epoch to run (0-based) and the batches of it already done. */
  epoch: number;
  batchInEpoch: number;
  globalStep: number;
  examplesSeen: number;
  /**
   * Best monitored validation value so far, the step it came from, and epochs since it improved. The metric is the
   * validation loss (lower is better; absent in checkpoints of older runs) or, in self-critical epochs, CIDEr-D.
   */
  best: { value: number; step: number; epoch: number; metric?: 'loss' | 'cider' } | null;
  epochsWithoutImprovement: number;
  trainSeconds: number;
  /**
   * The running sums behind the Keras project's per-epoch `loss` and `acc` (its Mean trackers: the mean over the
   * epoch's batches), kept in checkpoints so a resumed epoch reports the same means. Cross-entropy epochs only.
   */
  epochTotals?: { loss: number; accuracy: number; steps: number };
}

/** state.json: the loop state and the sha256 of every other file of the checkpoint (checked before resuming). */
interface SavedState extends LoopState {
  files?: Record<string, string>;
}

const STATE_FILE = 'state.json';
const STEP_PREFIX = 'step-';
const BEST = 'best';

/**
 * Checkpoint directories under `<run>/checkpoints`: each is written into a temporary directory and
 * renamed into place only when complete (its state.json written last), so a run killed mid-save
 * leaves the previous checkpoint whole and the torn temporary directory is ignored (and removed).
 */
export class CheckpointStore {
  readonly dir: string;

  constructor(
    runDir: string,
    private readonly keep: number,
  ) {
    this.dir = join(runDir, 'checkpoints');
  }

  /** Writes a checkpoint: `writeFiles(dir)` puts the model and optimizer files, then the state is written. */
  async save(state: LoopState, writeFiles: (dir: string) => Promise<void>, { best = false } = {}): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const name = `${STEP_PREFIX}${String(state.globalStep).padStart(9, '0')}`;
    const target = await this.writeAtomically(name, state, writeFiles);
    if (best) await this.writeAtomically(BEST, state, writeFiles);
    await this.prune();
    return target;
  }

  private async writeAtomically(
    name: string,
    state: LoopState,
    writeFiles: (dir: string) => Promise<void>,
  ): Promise<string> {
    const target = join(this.dir, name);
    const temp = join(this.dir, `.tmp-${name}-${process.pid}`);
    await rm(temp, { recursive: true, force: true });
    await mkdir(temp, { recursive: true });
    await writeFiles(temp);
    const files = await fileChecksums(temp, await filesBelow(temp));
    await writeFile(join(temp, STATE_FILE), `${JSON.stringify({ ...state, files } satisfies SavedState, null, 2)}\n`);
    const old = join(this.dir, `.old-${name}-${process.pid}`);
    await rename(target, old).catch(() => undefined);
    await rename(temp, target);
    await rm(old, { recursive: true, force: true });
    return target;
  }

  /** Complete step checkpoints, oldest first. */
  async list(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const complete: string[] = [];
    for (const name of names.filter((n) => n.startsWith(STEP_PREFIX)).sort()) {
      if (await this.readState(join(this.dir, name)).catch(() => null)) complete.push(join(this.dir, name));
    }
    return complete;
  }

  /**
   * Finishes a replacement a kill interrupted, then removes what is left: a checkpoint (e.g. `best`) is replaced by
   * renaming it to `.old-…`, the new copy from `.tmp-…` into place, then deleting the old one. Killed between the
   * two renames, neither copy is under its name: the complete new copy (its state.json is written last) or else
   * the old one is put back, so the best weights survive the crash.
   */
  private async recover(): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const pending = names
      .map((name) => /^\.(tmp|old)-(.+)-\d+$/.exec(name))
      .filter((m): m is RegExpExecArray => m !== null);
    for (const target of new Set(pending.map((m) => m[2]!))) {
      if (names.includes(target)) continue;
      const candidates = [
        ...pending.filter((m) => m[2] === target && m[1] === 'tmp'),
        ...pending.filter((m) => m[2] === target && m[1] === 'old'),
      ];
      for (const candidate of candidates) {
        if (
          await this.readSaved(join(this.dir, candidate[0])).then(
            () => true,
            () => false,
          )
        ) {
          await rename(join(this.dir, candidate[0]), join(this.dir, target));
          break;
        }
      }
    }
    for (const match of pending) await rm(join(this.dir, match[0]), { recursive: true, force: true });
  }

  /** The newest complete checkpoint, after finishing interrupted replacements and removing torn temporary directories. */
  async latest(): Promise<{ dir: string; state: LoopState } | null> {
    await this.recover();
    const all = await this.list();
    const dir = all.at(-1);
    if (!dir) return null;
    await this.verify(dir, all);
    return { dir, state: await this.readState(dir) };
  }

  /**
   * Refuses a checkpoint whose files no longer match their checksums, naming the file and the newest checkpoint
   * that is still whole: resuming from damaged weights trains on silently, far from where the run was.
   */
  private async verify(dir: string, all: readonly string[]): Promise<void> {
    const check = async (candidate: string) => {
      const { files } = await this.readSaved(candidate);
      if (files) await verifyChecksums(candidate, files, `checkpoint ${candidate}`);
    };
    try {
      await check(dir);
    } catch (error) {
      let fallback: string | null = null;
      for (const other of [...all].reverse().filter((c) => c !== dir)) {
        if (
          await check(other).then(
            () => true,
            () => false,
          )
        ) {
          fallback = other;
          break;
        }
      }
      const advice = fallback
        ? `the newest whole checkpoint is ${fallback}: remove ${dir} to resume from it`
        : 'no older checkpoint is whole';
      throw new Error(`${(error as Error).message}; ${advice}`);
    }
  }

  /** The best checkpoint, if one was saved. */
  async best(): Promise<{ dir: string; state: LoopState } | null> {
    const dir = join(this.dir, BEST);
    const saved = await this.readSaved(dir).catch(() => null);
    if (!saved) return null;
    const { files, ...state } = saved;
    if (files) await verifyChecksums(dir, files, `best checkpoint ${dir}`);
    return { dir, state };
  }

  async readState(dir: string): Promise<LoopState> {
    const { files: _files, ...state } = await this.readSaved(dir);
    return state;
  }

  private async readSaved(dir: string): Promise<SavedState> {
    return JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8')) as SavedState;
  }

  private async prune(): Promise<void> {
    const all = await this.list();
    for (const dir of all.slice(0, Math.max(0, all.length - this.keep)))
      await rm(dir, { recursive: true, force: true });
  }
}
