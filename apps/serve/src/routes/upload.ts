import type { FastifyReply, FastifyRequest } from 'fastify';
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

/** What bounds one upload while it is received. */
export interface UploadBounds {
  /** Most body bytes, multipart framing included (413 beyond). */
  maxBodyBytes: number;
  /** Longest the body may take (408 beyond). */
  timeoutMs: number;
  /** Where `readUpload` registers a function that cuts this upload short (the drain calls it). */
  receiving: Set<() => void>;
}

/**
 * Fails when the body outgrows its bound, takes too long, or the server starts draining. Counting the raw bytes
 * covers what the multipart parser would otherwise read in full: a huge preamble, epilogue or part header.
 */
function guardBody(request: FastifyRequest, bounds: UploadBounds): { failure: Promise<never>; release: () => void } {
  let fail: (error: HttpError) => void = () => {};
  const failure = new Promise<never>((_, reject) => (fail = reject));
  let received = 0;
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received > bounds.maxBodyBytes)
      fail(new HttpError(413, 'body_too_large', `The request body exceeds ${bounds.maxBodyBytes} bytes`));
  };
  const timer = setTimeout(
    () => fail(new HttpError(408, 'body_timeout', `The request body did not arrive within ${bounds.timeoutMs} ms`)),
    bounds.timeoutMs,
  );
  const cut = () => fail(new HttpError(503, 'draining', 'The server is shutting down', 5));
  request.raw.on('data', onData);
  bounds.receiving.add(cut);
  failure.catch(() => undefined);
  return {
    failure,
    release: () => {
      clearTimeout(timer);
      request.raw.off('data', onData);
      bounds.receiving.delete(cut);
    },
  };
}

/** The one file of the multipart field `file`, every other part refused. */
async function parseUpload(request: FastifyRequest): Promise<Upload> {
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

/**
 * Reads exactly one file from the multipart field `file` into memory, within `bounds`. `request.file()` would
 * silently ignore a second file or extra fields, so every part is looked at and anything else is refused. A body
 * cut short (413, 408, drain) closes the connection: the rest of it is never read.
 */
export async function readUpload(request: FastifyRequest, reply: FastifyReply, bounds: UploadBounds): Promise<Upload> {
  const guard = guardBody(request, bounds);
  const parsing = parseUpload(request);
  parsing.catch(() => undefined); // after a cut, the parser fails on the closed stream: nobody waits for it
  try {
    return await Promise.race([parsing, guard.failure]);
  } catch (err) {
    if (err instanceof HttpError && [408, 413, 503].includes(err.statusCode)) reply.header('connection', 'close');
    throw err;
  } finally {
    guard.release();
  }
}
