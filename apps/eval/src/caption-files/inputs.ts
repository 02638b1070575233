import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';

/** One image to caption. */
export interface InputFile {
  /** The path as the user named it (relative to the working directory, or absolute): the output's `file`. */
  file: string;
  /** Absolute path, to read it and to find duplicates. */
  path: string;
  /** Path relative to the input it came from (folder, glob base, or the file's own folder): the shard key. */
  key: string;
}

/** Extensions a folder or glob contributes (case-insensitive); a file named explicitly is taken whatever its name. */
export const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp', 'avif', 'gif', 'tif', 'tiff'] as const;
const IMAGE_FILE = new RegExp(`\\.(${IMAGE_EXTENSIONS.join('|')})$`, 'i');

export function isImageName(name: string): boolean {
  return IMAGE_FILE.test(name);
}

/** Forward slashes, so keys (and hence shards) and output names do not depend on the platform. */
function slashes(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/**
 * Every image under a folder, recursively, following symbolic links. Dot files and folders are left out: they are
 * tool droppings such as macOS's `._IMG_0001.jpg` resource forks, which share an image's extension but are not
 * images. A folder reached again through a link (a loop, or two links to one folder) is walked once, by its real
 * path, and said. Entries with an image's name that are not regular files (FIFOs, sockets, devices, broken or
 * looping links) are listed all the same, so the reader refuses them by name rather than them vanishing.
 */
async function folderImages(input: string, dir: string, log: (line: string) => void): Promise<InputFile[]> {
  const found: InputFile[] = [];
  const walked = new Map<string, string>();
  const shown = (rel: string) => slashes(rel === '' ? input : join(input, rel));
  async function walk(abs: string, rel: string): Promise<void> {
    const real = await realpath(abs);
    const first = walked.get(real);
    if (first !== undefined) {
      log(`warning: ${shown(rel)} is ${shown(first)} again (through a symbolic link); walked once`);
      return;
    }
    walked.set(real, rel);
    const entries = (await readdir(abs, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const [childAbs, childRel] = [join(abs, entry.name), rel === '' ? entry.name : join(rel, entry.name)];
      const target = entry.isSymbolicLink() ? await stat(childAbs).catch(() => null) : entry;
      if (target?.isDirectory()) await walk(childAbs, childRel);
      else if (isImageName(entry.name)) found.push({ file: shown(childRel), path: childAbs, key: slashes(childRel) });
    }
  }
  await walk(dir, '');
  return found;
}

/** The folder a pattern's matches are relative to: its leading segments up to the first one with a wildcard. */
function globBase(pattern: string): string {
  const segments = pattern.split('/');
  const firstDynamic = segments.findIndex((segment) => isDynamicPattern(segment));
  return segments.slice(0, firstDynamic < 0 ? segments.length : firstDynamic).join('/') || '.';
}

async function globImages(pattern: string, cwd: string): Promise<InputFile[]> {
  const found = await glob(pattern, { cwd, absolute: true, onlyFiles: true, dot: false, expandDirectories: false });
  const base = resolve(cwd, globBase(pattern));
  return found.filter(isImageName).map((path) => ({
    file: slashes(isAbsolute(pattern) ? path : relative(cwd, path)),
    path,
    key: slashes(relative(base, path)),
  }));
}

/**
 * The images one input names. What exists is taken literally, so a file or folder whose name has `*` or `[` in it
 * is never read as a pattern; only a path that does not exist is tried as a glob.
 */
async function expandInput(input: string, cwd: string, log: (line: string) => void): Promise<InputFile[]> {
  const path = resolve(cwd, input);
  const info = await stat(path).catch(() => undefined);
  if (info?.isDirectory()) {
    const files = await folderImages(input, path, log);
    if (files.length === 0) log(`warning: no images (${IMAGE_EXTENSIONS.join(', ')}) under ${input}`);
    return files;
  }
  if (info) return [{ file: slashes(normalize(input)), path, key: basename(path) }];
  if (!isDynamicPattern(input)) throw new Error(`input ${input} does not exist (not a file, folder or glob pattern)`);
  const files = await globImages(input, cwd);
  if (files.length === 0) throw new Error(`no images match the pattern ${input}`);
  return files;
}

/** Code-unit order: the same in every locale, so every pod of a sharded job lists identically. */
function byFile(a: InputFile, b: InputFile): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
}

/**
 * The images named by files, folders (recursive) and glob patterns, sorted by `file` and deduplicated by absolute
 * path (a file reached twice is captioned once, under the name that sorts first). No images at all is an error.
 */
export async function listInputs(
  inputs: readonly string[],
  options: { cwd?: string; log?: (line: string) => void } = {},
): Promise<InputFile[]> {
  const cwd = options.cwd ?? process.cwd();
  const log = options.log ?? (() => {});
  let all: InputFile[] = [];
  // concat, not push(...files): a folder of a million images would overflow the argument limit of a spread.
  for (const input of inputs) all = all.concat(await expandInput(input, cwd, log));
  all.sort(byFile);
  // By real path: the same image reached through two links (or a file and a link to it) is captioned once.
  const reals = await Promise.all(all.map((file) => realpath(file.path).catch(() => file.path)));
  const seen = new Set<string>();
  const unique = all.filter((_, i) => !seen.has(reals[i]!) && seen.add(reals[i]!));
  if (unique.length === 0) throw new Error(`no images found in ${inputs.join(', ')}`);
  return unique;
}
