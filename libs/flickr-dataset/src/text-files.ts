import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { DatasetFormatError } from './errors.js';

/** Reads a UTF-8 text file; a missing file becomes a DatasetFormatError naming it. */
export async function readTextFile(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  } catch (error) {
    throw new DatasetFormatError(file, describeFsError(error));
  }
}

/** Lines of a text file with CRLF or LF endings; `lines[i]` is line number i + 1. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * The lines of a UTF-8 text file (CRLF or LF, a leading BOM dropped), streamed: the file never has to fit in one
 * string. A missing or unreadable file is a DatasetFormatError naming it.
 */
export async function* readLines(file: string): AsyncGenerator<string> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    input.once('ready', () => resolve());
    input.once('error', reject);
  });
  try {
    await opened;
  } catch (error) {
    throw new DatasetFormatError(file, describeFsError(error));
  }
  let first = true;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    yield first ? line.replace(/^\uFEFF/, '') : line;
    first = false;
  }
}

export async function requireDirectory(dir: string): Promise<void> {
  const info = await stat(dir).catch((error: unknown) => {
    throw new DatasetFormatError(dir, describeFsError(error));
  });
  if (!info.isDirectory()) throw new DatasetFormatError(dir, 'expected a directory, found a file');
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'not found';
  if (code === 'EISDIR') return 'expected a file, found a directory';
  return (error as Error).message;
}
