import { constants, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { decodeImage, type DecodedImage, type DecodeOptions } from './decode.js';
import { ImageDecodeError } from './errors.js';

/** The largest image file read by default: the server's default upload limit, so files and uploads are alike. */
export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;

export interface ReadImageOptions extends DecodeOptions {
  /** Files larger than this are refused without being read (`too_large`). Default DEFAULT_MAX_FILE_BYTES. */
  maxBytes?: number;
}

/** What a non-regular path is, in words, for the refusal. */
function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

function fsRefusal(path: string, err: unknown): ImageDecodeError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new ImageDecodeError('not_found', `${path}: file not found`, { cause: err, path });
  }
  const why = code === 'ELOOP' ? 'a symbolic link loop' : (code ?? (err as Error).message);
  return new ImageDecodeError('unreadable', `${path}: cannot be read (${why})`, { cause: err, path });
}

/** At most `limit + 1` bytes of an open file: enough to know it is larger than `limit` without reading the rest. */
async function readCapped(handle: FileHandle, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, limit + 1 - total));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) break;
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
    if (total > limit) break;
  }
  return Buffer.concat(chunks, total);
}

/**
 * Reads and decodes one image file; every {@link ImageDecodeError} it throws names the path. Only a regular file is
 * opened: a FIFO, socket, device or directory is refused from its metadata (a FIFO would block the read forever, a
 * device such as /dev/zero never ends), and no more than `maxBytes` + 1 bytes are ever read.
 */
export async function readImageFile(path: string, options: ReadImageOptions = {}): Promise<DecodedImage> {
  const { maxBytes = DEFAULT_MAX_FILE_BYTES, ...decodeOptions } = options;
  const info = await stat(path).catch((err: unknown) => {
    throw fsRefusal(path, err);
  });
  if (!info.isFile()) throw new ImageDecodeError('not_a_file', `${path}: ${kindOf(info)}, not an image file`, { path });
  const tooLarge = (size: number | string) =>
    new ImageDecodeError('too_large', `${path}: ${size} bytes, more than the ${maxBytes} an image may have`, { path });
  if (info.size > maxBytes) throw tooLarge(info.size);
  let bytes: Buffer;
  try {
    // O_NONBLOCK: should the path have become a FIFO since the stat, opening it does not wait for a writer.
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      if (!(await handle.stat()).isFile())
        throw new ImageDecodeError('not_a_file', `${path}: not a regular file`, { path });
      bytes = await readCapped(handle, maxBytes);
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof ImageDecodeError) throw err;
    throw fsRefusal(path, err);
  }
  if (bytes.length > maxBytes) throw tooLarge(`over ${maxBytes}`);
  try {
    return await decodeImage(bytes, decodeOptions);
  } catch (err) {
    if (err instanceof ImageDecodeError) {
      throw new ImageDecodeError(err.code, `${path}: ${err.message}`, { cause: err.cause, path, format: err.format });
    }
    throw err;
  }
}
