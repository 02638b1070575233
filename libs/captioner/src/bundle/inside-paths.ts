// Paths a manifest (bundle.json, a checkpoint's state.json) lists are the directory's own files. A manifest edited
// to list `../../../../dev/zero` or `/etc/shadow`, or a file that is a link to outside, must be refused by name
// before anything is read: hashing /dev/zero never ends, and a bundle must not read what its directory does not hold.
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';

/** The reason `entry` cannot name a file inside its directory by its text alone, or null when it can. */
function badEntry(entry: unknown): string | null {
  if (typeof entry !== 'string' || entry === '') return 'is not a path';
  if (entry.includes('\0')) return 'holds a NUL byte';
  if (isAbsolute(entry) || /^[a-zA-Z]:|^[\\/]/.test(entry)) return 'is absolute';
  if (entry.split(/[\\/]/).some((part) => part === '..')) return 'leaves the directory (..)';
  if (normalize(entry) !== entry.replaceAll('/', sep)) return 'is not a plain relative path';
  return null;
}

/**
 * Checks every listed path before any is read: relative, no `..`, and, on disk, resolving inside `dir` (no link
 * leaving it) to a regular file (or, with `directories`, a folder). The first bad one is an error naming it.
 */
export async function checkInsidePaths(
  dir: string,
  entries: readonly unknown[],
  what: string,
  options: { directories?: boolean } = {},
): Promise<void> {
  for (const entry of entries) {
    const reason = badEntry(entry);
    if (reason) throw new Error(`${what}: the listed file ${JSON.stringify(entry)} ${reason}; refusing to read it`);
  }
  const root = await realpath(dir);
  for (const entry of entries as string[]) {
    const path = join(dir, entry);
    // Missing (or a broken link): nothing to read; the caller's own check names it.
    const real = await realpath(path).catch(() => null);
    if (real === null) continue;
    if (real !== root && !real.startsWith(root + sep))
      throw new Error(`${what}: ${path} is a link to outside ${dir}; refusing to read it`);
    const target = await stat(real);
    if (!target.isFile() && !(options.directories && target.isDirectory()))
      throw new Error(`${what}: ${path} is not a regular file; refusing to read it`);
  }
}
