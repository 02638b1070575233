/**
 * Why an image was refused. `not_found`, `not_a_file`, `too_large` and `unreadable` only come from
 * {@link readImageFile} (a path, not bytes).
 */
export type ImageDecodeErrorCode =
  | 'empty'
  | 'unsupported_format'
  | 'too_many_pixels'
  | 'corrupt'
  | 'truncated'
  | 'not_found'
  | 'not_a_file'
  | 'too_large'
  | 'unreadable';

/**
 * The one vocabulary every app answers with for a refused image — the server's JSON `error.code` and HTTP status,
 * eval's and caption-files' "skipping" lines and --errors file — so the same bytes get the same code everywhere.
 */
export const IMAGE_ERRORS: Readonly<Record<ImageDecodeErrorCode, { code: string; status: number }>> = {
  empty: { code: 'empty_file', status: 400 },
  unsupported_format: { code: 'unsupported_image', status: 415 },
  too_many_pixels: { code: 'too_many_pixels', status: 413 },
  corrupt: { code: 'corrupt_image', status: 422 },
  truncated: { code: 'truncated_image', status: 422 },
  not_found: { code: 'missing_file', status: 400 },
  not_a_file: { code: 'not_a_regular_file', status: 400 },
  too_large: { code: 'file_too_large', status: 413 },
  unreadable: { code: 'unreadable_file', status: 400 },
};

/** An input that is not a usable image. Callers map `code` to their own answer (e.g. an HTTP status). */
export class ImageDecodeError extends Error {
  override readonly name = 'ImageDecodeError';

  constructor(
    readonly code: ImageDecodeErrorCode,
    message: string,
    options?: { cause?: unknown; path?: string; format?: string },
  ) {
    super(message, { cause: options?.cause });
    this.path = options?.path;
    this.format = options?.format;
  }

  /** The file the bytes came from, when known. */
  readonly path: string | undefined;

  /** The public code (IMAGE_ERRORS) this refusal is reported under. */
  get publicCode(): string {
    return IMAGE_ERRORS[this.code].code;
  }

  /** The message without the `path: ` that readImageFile puts before it, for lines that name the file already. */
  get detail(): string {
    return this.path && this.message.startsWith(`${this.path}: `)
      ? this.message.slice(this.path.length + 2)
      : this.message;
  }
  /** For `unsupported_format`: what the bytes are, when known (`heic`, `svg`, `tiff`…). */
  readonly format: string | undefined;
}

/**
 * sharp reports every failure as a plain Error; its message is the only signal. The patterns below are the
 * messages libvips 8.18 gives for each case (see the fixtures test); anything unrecognised counts as corrupt.
 */
export function fromSharpError(err: unknown): ImageDecodeError {
  const message = err instanceof Error ? err.message : String(err);
  const firstLine = message.split('\n')[0];
  if (/input buffer is empty/i.test(message)) {
    return new ImageDecodeError('empty', 'The image is empty (0 bytes)', { cause: err });
  }
  if (/exceeds pixel limit/i.test(message)) {
    return new ImageDecodeError('too_many_pixels', 'The image has more pixels than allowed', { cause: err });
  }
  if (/unsupported image format/i.test(message)) {
    return new ImageDecodeError('unsupported_format', 'The bytes are not an image in a known format', {
      cause: err,
    });
  }
  // A cut inside the header makes libvips say "corrupt header" even when it also mentions a premature end.
  if (!/corrupt header/i.test(message) && /premature end|unexpected end|truncated|end of stream/i.test(message)) {
    return new ImageDecodeError('truncated', `The image data ends early (${firstLine})`, { cause: err });
  }
  return new ImageDecodeError('corrupt', `The image data is corrupt (${firstLine})`, { cause: err });
}
