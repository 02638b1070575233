import { readFile } from 'node:fs/promises';
import { decodeImage, type DecodedImage, type DecodeOptions } from './decode.js';
import { ImageDecodeError } from './errors.js';

function isMissingFileError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Reads and decodes one image file; every {@link ImageDecodeError} it throws names the path. */
export async function readImageFile(path: string, options: DecodeOptions = {}): Promise<DecodedImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if (isMissingFileError(err)) {
      throw new ImageDecodeError('not_found', `Image file not found: ${path}`, { cause: err, path });
    }
    throw err;
  }
  try {
    return await decodeImage(bytes, options);
  } catch (err) {
    if (err instanceof ImageDecodeError) {
      throw new ImageDecodeError(err.code, `${path}: ${err.message}`, { cause: err.cause, path, format: err.format });
    }
    throw err;
  }
}
