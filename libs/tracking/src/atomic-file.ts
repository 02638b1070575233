import writeFileAtomicOnDisk from 'write-file-atomic';

/**
 * Writes `text` to `path` so that a reader sees either the old file or the whole new one, never a half-written
 * file: a crash mid-write (OOM, Ctrl-C during training) must not leave a truncated config.json or summary.json.
 * write-file-atomic writes a temp file beside the target (rename is only atomic within one filesystem), fsyncs it,
 * renames it into place and removes it on failure or process exit.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await writeFileAtomicOnDisk(path, text, { encoding: 'utf8' });
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
