// `weights="imagenet"` as Keras's applications resolve it: the file `efficientnetbN_notop.h5` from Keras's published
// location, fetched once and cached, checked against the MD5 that Keras's own `efficientnet.py` pins (`WEIGHTS_HASHES`,
// verified by `keras.utils.get_file(..., file_hash=…)`). Keras's cache (`$KERAS_HOME/models`, default
// `~/.keras/models`) is read first, so a machine that ran the Keras project already has the file.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { EfficientNetVariant } from './efficientnet-spec.js';

/** Keras's `BASE_WEIGHTS_PATH` for EfficientNet (keras/applications/efficientnet.py). */
export const KERAS_APPLICATIONS_URL = 'https://storage.googleapis.com/keras-applications/';

/** Keras's `WEIGHTS_HASHES` for EfficientNet: MD5 of `efficientnetbN.h5` (with the top) and `…_notop.h5`. */
export const EFFICIENTNET_WEIGHTS_MD5: Readonly<Record<EfficientNetVariant, { top: string; notop: string }>> = {
  b0: { top: '902e53a9f72be733fc0bcb005b3ebbac', notop: '50bc09e76180e00e4465e1a485ddc09d' },
  b1: { top: '1d254153d4ab51201f1646940f018540', notop: '74c4e6b3e1f6a1eea24c589628592432' },
  b2: { top: 'b15cce36ff4dcbd00b6dd88e7857a6ad', notop: '111f8e2ac8aa800a7a99e3239f7bfb39' },
  b3: { top: 'ffd1fdc53d0ce67064dc6a9c7960ede0', notop: 'af6d107764bb5b1abb91932881670226' },
  b4: { top: '18c95ad55216b8f92d7e70b3a046e2fc', notop: 'ebc24e6d6c33eaebbd558eafbeedf1ba' },
  b5: { top: 'ace28f2a6363774853a83a0b21b9421a', notop: '38879255a25d3c92d5e44e04ae6cec6f' },
  b6: { top: '165f6e37dce68623721b423839de8be5', notop: '9ecce42647a20130c1f39a5d4cb75743' },
  b7: { top: '8c03f828fec3ef71311cd463b6759d99', notop: 'cbcfe4450ddf6f3ad90b1b398090fe4a' },
};

/** The published Keras file with this MD5 (`efficientnetb1_notop.h5`), or null. */
export function publishedKerasWeightsFile(md5: string): string | null {
  for (const [variant, hashes] of Object.entries(EFFICIENTNET_WEIGHTS_MD5)) {
    if (hashes.notop === md5) return `efficientnet${variant}_notop.h5`;
    if (hashes.top === md5) return `efficientnet${variant}.h5`;
  }
  return null;
}

export interface ImagenetWeightsOptions {
  /** The file with the classification top (`efficientnetb1.h5`); default false (`_notop`, what a backbone needs). */
  includeTop?: boolean;
  /** Where the files are published; default `$IMGCAP_WEIGHTS_BASE_URL`, else Keras's location. */
  baseUrl?: string;
  /** Keras's home; default `$KERAS_HOME`, else `~/.keras`. Its `models/` is read, never written. */
  kerasHome?: string;
  /** imgcap's cache; default `$IMGCAP_CACHE_DIR`, else `$XDG_CACHE_HOME/imgcap`, else `~/.cache/imgcap`. */
  cacheDir?: string;
  /** Called as bytes arrive (total null when the server sends no length). */
  onProgress?: (received: number, total: number | null) => void;
  log?: (line: string) => void;
  /** Appended to the error when the file can be neither found nor downloaded (e.g. how to pass a file instead). */
  hint?: string;
}

export interface ImagenetWeights {
  path: string;
  /** The published file name (`efficientnetb1_notop.h5`). */
  file: string;
  md5: string;
  /** Where it was found: Keras's cache, imgcap's cache, or downloaded now. */
  origin: 'keras-cache' | 'imgcap-cache' | 'download';
  url: string;
}

const env = (name: string) => (process.env[name] ? process.env[name] : undefined);

/** imgcap's weights cache directory (see `ImagenetWeightsOptions.cacheDir`). */
export function imgcapWeightsCache(cacheDir?: string): string {
  const root =
    cacheDir ?? env('IMGCAP_CACHE_DIR') ?? join(env('XDG_CACHE_HOME') ?? join(homedir(), '.cache'), 'imgcap');
  return join(root, 'weights');
}

/** MD5s this process has computed, by file identity (path, inode, size, change time): a rewritten file is a new key. */
const md5s = new Map<string, string>();

/**
 * MD5 of a file, streamed. Remembered for the process: a run checks its weights file against Keras's MD5, then keys
 * the feature cache by it, and eval/serve name the bundle's weights by it — one read of the file, not one per use.
 */
export async function fileMd5(path: string): Promise<string> {
  const { ino, size, ctimeMs, mtimeMs } = await stat(path);
  const key = `${path}\0${ino}\0${size}\0${ctimeMs}\0${mtimeMs}`;
  const known = md5s.get(key);
  if (known) return known;
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const md5 = hash.digest('hex');
  md5s.set(key, md5);
  return md5;
}

const isFile = (path: string) =>
  stat(path).then(
    (s) => s.isFile(),
    () => false,
  );

/** A published file and the MD5 it must have. */
export interface PinnedFile {
  /** Its name in the caches (`efficientnetb1_notop.h5`). */
  file: string;
  md5: string;
  url: string;
}

/**
 * The ImageNet weights file for `variant`, as `EfficientNetBN(weights="imagenet")` gets it: Keras's cache, then
 * imgcap's, else downloaded from Keras's location (or `$IMGCAP_WEIGHTS_BASE_URL`) and checked against Keras's MD5.
 */
export async function imagenetWeightsFile(
  variant: EfficientNetVariant,
  options: ImagenetWeightsOptions = {},
): Promise<ImagenetWeights> {
  const expected = EFFICIENTNET_WEIGHTS_MD5[variant];
  if (!expected) throw new Error(`no ImageNet weights for EfficientNet '${variant}' (b0 … b7)`);
  const file = `efficientnet${variant}${options.includeTop ? '' : '_notop'}.h5`;
  const base = options.baseUrl ?? env('IMGCAP_WEIGHTS_BASE_URL') ?? KERAS_APPLICATIONS_URL;
  const pinned = {
    file,
    md5: options.includeTop ? expected.top : expected.notop,
    url: `${base.replace(/\/*$/, '/')}${file}`,
  };
  return fetchPinnedFile(pinned, { ...options, label: `ImageNet weights for EfficientNet-${variant.toUpperCase()}` });
}

/**
 * A pinned file from Keras's cache (`<kerasHome>/models/<file>`), then imgcap's (`<cacheDir>/weights/<file>`), else
 * downloaded into imgcap's: streamed to a temporary file, length and MD5 checked, renamed into place. A cached copy
 * with another MD5 is not used (imgcap's own is deleted); a download with another MD5 is refused and nothing is kept.
 */
export async function fetchPinnedFile(
  pinned: PinnedFile,
  options: Omit<ImagenetWeightsOptions, 'includeTop' | 'baseUrl'> & { label?: string } = {},
): Promise<ImagenetWeights> {
  const { file, md5, url } = pinned;
  const log = options.log ?? (() => {});
  const kerasPath = join(options.kerasHome ?? env('KERAS_HOME') ?? join(homedir(), '.keras'), 'models', file);
  const cachePath = join(imgcapWeightsCache(options.cacheDir), file);
  for (const [path, origin] of [
    [kerasPath, 'keras-cache'],
    [cachePath, 'imgcap-cache'],
  ] as const) {
    if (!(await isFile(path))) continue;
    const found = await fileMd5(path);
    if (found === md5) return { path, file, md5, origin, url };
    log(`warning: ${path} has MD5 ${found}, not the pinned ${md5} (incomplete or another file); not used`);
    if (origin === 'imgcap-cache') await rm(path, { force: true });
  }
  try {
    await download(url, cachePath, md5, options.onProgress);
  } catch (error) {
    const { label, hint } = options;
    throw new Error(
      `${label ? `${label}: ` : ''}${(error as Error).message}. Looked in ${kerasPath} and ${cachePath}; ` +
        `put ${file} in either place${hint ? `, or ${hint}` : ''}`,
    );
  }
  log(`downloaded ${url} → ${cachePath} (MD5 ${md5} as pinned)`);
  return { path: cachePath, file, md5, origin: 'download', url };
}

/** Streams `url` into a temporary file beside `dest`, checks length and MD5, then renames it into place. */
async function download(
  url: string,
  dest: string,
  md5: string,
  onProgress?: (received: number, total: number | null) => void,
): Promise<void> {
  await mkdir(join(dest, '..'), { recursive: true });
  const temp = `${dest}.part-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    let response: Response;
    try {
      response = await fetch(url);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(`could not download ${url} (${cause?.code ?? cause?.message ?? (error as Error).message})`);
    }
    if (!response.ok || !response.body) throw new Error(`${url} answered HTTP ${response.status}`);
    const length = response.headers.get('content-length');
    const total = length === null ? null : Number(length);
    const hash = createHash('md5');
    let received = 0;
    const handle = await open(temp, 'w');
    try {
      const reader = response.body.getReader();
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch {
          throw new Error(`the transfer of ${url} broke off after ${received} of ${total ?? '?'} bytes`);
        }
        if (chunk.done) break;
        hash.update(chunk.value);
        await handle.write(chunk.value);
        received += chunk.value.length;
        onProgress?.(received, total);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (total !== null && received !== total)
      throw new Error(`the transfer of ${url} stopped after ${received} of ${total} bytes`);
    const found = hash.digest('hex');
    if (found !== md5) throw new Error(`${url} has MD5 ${found}, not the expected ${md5}: refused, nothing kept`);
    await rename(temp, dest);
  } finally {
    await rm(temp, { force: true });
  }
}
