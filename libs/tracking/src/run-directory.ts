import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join, relative, resolve, isAbsolute } from 'node:path';
import { writeJsonAtomic } from './atomic-file.js';

export type RunConfig = Readonly<Record<string, unknown>>;

export interface OpenRunOptions {
  /** Run directory; created when missing. */
  dir: string;
  /** The fully resolved training config (defaults merged with overrides); written once as config.json. */
  config: RunConfig;
  /** Continue a run in a non-empty directory; its config.json is kept as it is. */
  resume?: boolean;
  /** Delete everything in a non-empty directory and start afresh. */
  overwrite?: boolean;
}

export interface RunPaths {
  readonly config: string;
  readonly metrics: string;
  readonly summary: string;
  readonly report: string;
}

export interface RunDirectory {
  /** Absolute path of the run directory. */
  readonly dir: string;
  /** The config this run was started with: the one passed in, or on resume the one already on disk. */
  readonly config: RunConfig;
  /** True when an existing run was resumed rather than a new one started. */
  readonly resumed: boolean;
  readonly paths: RunPaths;
}

const FILE_NAMES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  summary: 'summary.json',
  report: 'report.html',
} as const;

/**
 * Creates (or resumes) a run directory. A non-empty directory is refused unless `resume` or `overwrite` is set,
 * so a second run never silently mixes its metrics and checkpoints into an earlier one.
 */
export async function openRun(options: OpenRunOptions): Promise<RunDirectory> {
  const { resume = false, overwrite = false } = options;
  if (resume && overwrite) {
    throw new Error(`openRun: --resume and --overwrite are mutually exclusive (run dir ${options.dir}); pass one.`);
  }
  const dir = resolve(options.dir);
  const paths = runPaths(dir);
  const entries = await listEntries(dir);

  if (entries.length > 0 && !resume && !overwrite) {
    throw new Error(
      `Run directory ${dir} is not empty (${entries.length} entries). ` +
        'Pass --resume to continue that run or --overwrite to delete it and start afresh.',
    );
  }
  if (entries.length > 0 && overwrite) {
    assertSafeToClear(dir);
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });

  if (entries.length > 0 && resume) {
    const stored = await readStoredConfig(paths.config, dir);
    return { dir, config: stored, resumed: true, paths };
  }
  const config = Object.freeze({ ...options.config });
  await writeJsonAtomic(paths.config, config);
  return { dir, config, resumed: false, paths };
}

/**
 * Empties a fresh run's directory after a failure before its first step (a missing dataset, a bad value found late),
 * so that the same command can simply be run again; the directory itself stays, empty. A resumed run is left as it was.
 */
export async function abandonRun(run: RunDirectory): Promise<void> {
  if (run.resumed) return;
  for (const entry of await listEntries(run.dir)) await rm(join(run.dir, entry), { recursive: true, force: true });
}

function runPaths(dir: string): RunPaths {
  return {
    config: join(dir, FILE_NAMES.config),
    metrics: join(dir, FILE_NAMES.metrics),
    summary: join(dir, FILE_NAMES.summary),
    report: join(dir, FILE_NAMES.report),
  };
}

async function listEntries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** `--overwrite` with a mistyped `--artifact_dir .` must not wipe the working tree (or the filesystem root). */
function assertSafeToClear(dir: string): void {
  const fromDirToCwd = relative(dir, process.cwd());
  const cwdIsInside = fromDirToCwd === '' || (!fromDirToCwd.startsWith('..') && !isAbsolute(fromDirToCwd));
  if (cwdIsInside || resolve(dir, '..') === dir) {
    throw new Error(
      `Refusing --overwrite of ${dir}: it contains the current directory ${process.cwd()}. Choose a dedicated run directory.`,
    );
  }
}

async function readStoredConfig(path: string, dir: string): Promise<RunConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        `Cannot --resume ${dir}: it has no config.json, so it was not started as a run. Use --overwrite or another dir.`,
      );
    }
    throw error;
  }
  const parsed: unknown = JSON.parse(text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`Cannot --resume ${dir}: config.json holds ${JSON.stringify(parsed)}, expected a JSON object.`);
  }
  return Object.freeze(parsed as Record<string, unknown>);
}
