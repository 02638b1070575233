import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** An answer the client should see as is: status, stable code, human message. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const unavailable = (code: string, message: string, retryAfterSeconds: number) =>
  new HttpError(503, code, message, retryAfterSeconds);

export interface ErrorBody {
  error: { code: string; message: string };
}

export const errorBodySchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

// Framework and multipart-plugin errors that are the client's fault, with the status and code we answer.
const CLIENT_ERRORS: Record<string, [number, string]> = {
  FST_INVALID_MULTIPART_CONTENT_TYPE: [415, 'not_multipart'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type'],
  FST_REQ_FILE_TOO_LARGE: [413, 'upload_too_large'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'upload_too_large'],
  FST_PARTS_LIMIT: [400, 'too_many_parts'],
  FST_FILES_LIMIT: [400, 'too_many_parts'],
  FST_FIELDS_LIMIT: [400, 'too_many_parts'],
  FST_PROTO_VIOLATION: [400, 'malformed_multipart'],
  FST_MP_PREMATURE_CLOSE: [400, 'malformed_multipart'],
  // A path that does not decode (`%c0%ae`): find-my-way refuses it before any route.
  FST_ERR_BAD_URL: [400, 'bad_url'],
};

function toHttpError(error: FastifyError): HttpError {
  if (error instanceof HttpError) return error;
  if (error.validation) return new HttpError(400, 'invalid_request', error.message);
  const known = CLIENT_ERRORS[error.code];
  if (known) return new HttpError(known[0], known[1], error.message);
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new HttpError(status, 'bad_request', error.message);
  return new HttpError(500, 'internal', 'Internal server error');
}

/** Node's HTTP parser errors, answered before any route runs: status and code, by Node's error code. */
const PROTOCOL_ERRORS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'headers_too_large', 'Request Header Fields Too Large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request_timeout', 'Request Timeout'],
};

/**
 * Answers a request Node's parser refused (bad HTTP, oversized headers, a request that timed out) with the same
 * `{ error: { code, message } }` body as every other error, then closes the connection. Fastify's default writes
 * its own body shape.
 */
export function sendProtocolError(error: NodeJS.ErrnoException, socket: import('node:net').Socket): void {
  if (!socket.writable) return;
  const [status, code, reason] = PROTOCOL_ERRORS[error.code ?? ''] ?? [400, 'bad_http', 'Bad Request'];
  const body = JSON.stringify({
    error: { code, message: `${reason}: ${error.code ?? error.message}` },
  } satisfies ErrorBody);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Unread request bodies up to this size are read and dropped after an early answer; larger ones close the connection. */
const DRAIN_RATHER_THAN_CLOSE_BYTES = 1024 * 1024;

/** Every error leaves as `{ error: { code, message } }`; 5xx messages never carry internals. */
export function sendError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const answer = toHttpError(error);
  if (answer.statusCode >= 500 && !(error instanceof HttpError)) request.log.error({ err: error }, 'request failed');
  if (answer.retryAfterSeconds !== undefined) reply.header('retry-after', String(answer.retryAfterSeconds));
  // Answered before a large body arrived (refused at once, cut short): close, or Node reads the rest to reuse the
  // connection. A small body is cheaper to read than a reconnect, so its connection is kept (fast 503s under load).
  const declared = Number(request.headers['content-length']);
  if (!request.raw.complete && !(declared <= DRAIN_RATHER_THAN_CLOSE_BYTES)) reply.header('connection', 'close');
  const body: ErrorBody = { error: { code: answer.code, message: answer.message } };
  return reply.status(answer.statusCode).send(body);
}
