import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Writes `text` to `path` so that a reader sees either the old file or the whole new one, never a half-written
 * file: a crash mid-write (OOM, Ctrl-C during training) must not leave a truncated config.json or summary.json.
 * The temp file sits in the same directory because rename is only atomic within one filesystem.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tempPath = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(tempPath, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      // Flush before rename, or a power loss can leave the renamed file empty on some filesystems.
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tempPath, path);
  } catch (error) {
    await rm(tempPath, { force: true });
    throw error;
  }
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
