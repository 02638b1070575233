import type { FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';

export const UPLOAD_FIELD = 'file';

export interface Upload {
  /** The client's file name, for display only: never used as a path. */
  filename: string;
  bytes: Buffer;
}

/** Keeps the last path segment, drops control characters and caps the length; the rest is the client's business. */
function displayName(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  return base.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 200);
}

function isClientError(err: unknown): boolean {
  const status = (err as { statusCode?: number } | undefined)?.statusCode;
  return err instanceof HttpError || (typeof status === 'number' && status >= 400 && status < 500);
}

/**
 * Reads exactly one file from the multipart field `file` into memory. `request.file()` would silently ignore a
 * second file or extra fields, so every part is looked at and anything else is refused.
 */
export async function readUpload(request: FastifyRequest): Promise<Upload> {
  let upload: Upload | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type !== 'file' || part.fieldname !== UPLOAD_FIELD) {
        throw new HttpError(
          400,
          'unexpected_field',
          `Unexpected form ${part.type} ${JSON.stringify(part.fieldname)}; send one file in the field "${UPLOAD_FIELD}"`,
        );
      }
      if (upload) throw new HttpError(400, 'too_many_files', `Send one file in "${UPLOAD_FIELD}"; got more than one`);
      upload = { filename: displayName(part.filename), bytes: await part.toBuffer() };
    }
  } catch (err) {
    if (isClientError(err)) throw err;
    // busboy reports a cut or malformed body as a plain Error ("Unexpected end of form", "Boundary not found").
    throw new HttpError(400, 'malformed_multipart', `Malformed multipart body: ${(err as Error).message}`);
  }
  if (!upload) throw new HttpError(400, 'missing_file', `No file in the form field "${UPLOAD_FIELD}"`);
  if (upload.bytes.length === 0) throw new HttpError(400, 'empty_file', 'The uploaded file is empty (0 bytes)');
  return upload;
}
