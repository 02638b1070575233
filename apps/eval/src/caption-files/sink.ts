import { mkdir, open, readFile, stat, truncate, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { outputHeader, type OutputFormat } from './output.js';
import { readExistingOutput } from './resume.js';

/** An output file opened for appending whole lines. */
export interface LineSink {
  path: string;
  /** Appends `text` (whole lines) in one write and syncs it to disk before resolving. */
  append(text: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * One write per batch, then fdatasync: a killed process (SIGKILL, OOM, an evicted pod) loses at most the batch in
 * flight, and a crashed node none of what was acknowledged. One sync per batch costs little next to captioning it.
 */
async function openSink(path: string, flags: 'a' | 'w'): Promise<LineSink> {
  await mkdir(dirname(path), { recursive: true });
  const handle: FileHandle = await open(path, flags);
  return {
    path,
    async append(text) {
      if (text === '') return;
      await handle.write(text);
      await handle.datasync();
    },
    close: () => handle.close(),
  };
}

/** The output, ready for rows, and the files it already holds. */
export interface PreparedOutput {
  sink: LineSink;
  /** Files a previous run captioned (empty when starting fresh). */
  done: Set<string>;
}

async function sizeOf(path: string): Promise<number | undefined> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (info?.isDirectory()) throw new Error(`--out ${path} is a directory; name a file such as ${path}/captions.jsonl`);
  return info?.size;
}

/**
 * Whether the file holds anything beyond the format's header: a header alone (a run that failed before its first
 * batch, e.g. on a bad --max_length) has no captions to lose.
 */
async function holdsRows(path: string, size: number, format: OutputFormat): Promise<boolean> {
  const header = outputHeader(format);
  return size !== Buffer.byteLength(header) || (await readFile(path, 'utf8')) !== header;
}

/**
 * Opens the output. Without `resume`, an existing non-empty file is an error: never silently overwrite a run's
 * captions. With it, the file's complete rows are kept and a torn last line (a crash mid-write) is cut off, so
 * appending continues from the last complete line and every file appears exactly once.
 */
export async function prepareOutput(
  path: string,
  format: OutputFormat,
  options: { resume: boolean; log: (line: string) => void },
): Promise<PreparedOutput> {
  const size = await sizeOf(path);
  if (!size || !(await holdsRows(path, size, format))) {
    const sink = await openSink(path, 'w');
    await sink.append(outputHeader(format));
    return { sink, done: new Set() };
  }
  if (!options.resume) {
    throw new Error(
      `${path} already exists (${size} bytes); pass --resume to continue it (files already in it are skipped), or choose another --out`,
    );
  }
  const existing = await readExistingOutput(path, format);
  if (existing.completeBytes < existing.size) {
    options.log(
      `${path}: dropping a torn last line (${existing.size - existing.completeBytes} bytes) left by an interrupted run`,
    );
    await truncate(path, existing.completeBytes);
  }
  const sink = await openSink(path, 'a');
  // Only a torn header was there: the file is empty now and needs its header again.
  if (existing.completeBytes === 0) await sink.append(outputHeader(format));
  return { sink, done: existing.files };
}

/**
 * The `--errors` file: a JSONL line {"file","reason"} per skipped file. Rewritten on every run, resumed or not:
 * a resumed run tries the skipped files again (they are not in the output), so this run's list is the current one.
 */
export async function openErrorsFile(path: string): Promise<LineSink> {
  return openSink(path, 'w');
}
