import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { checkInsidePaths } from './inside-paths.js';

/** sha256 (hex) of every file named, by its path relative to `dir`. */
export async function fileChecksums(dir: string, files: readonly string[]): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const file of [...files].sort()) sums[file] = await sha256File(join(dir, file));
  return sums;
}

/** Every regular file below `dir`, as paths relative to it (sorted). */
export async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/**
 * Checks `dir`'s files against recorded checksums; the first missing or changed file is an error naming it. Files
 * that look right but are not (flipped bytes, another run's weights of the same size) must never load silently.
 * Every listed path is checked to be the directory's own regular file before any is read (inside-paths.ts).
 */
export async function verifyChecksums(
  dir: string,
  expected: Readonly<Record<string, string>>,
  what: string,
): Promise<void> {
  await checkInsidePaths(dir, Object.keys(expected), what);
  for (const [file, sum] of Object.entries(expected)) {
    const actual = await sha256File(join(dir, file)).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`${what}: ${join(dir, file)} is missing or unreadable (${error.code ?? error.message})`);
    });
    if (actual !== sum)
      throw new Error(
        `${what}: ${join(dir, file)} does not match its recorded sha256 (damaged or replaced); refusing to use it`,
      );
  }
}
