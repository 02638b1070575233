import { decodeImage, IMAGE_ERRORS, ImageDecodeError, type DecodedImage } from '@imgcap/image-io';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CaptionService } from '../caption-service.js';
import { errorBodySchema, HttpError, unavailable } from '../errors.js';
import { MULTIPART_OVERHEAD_BYTES } from '../limits.js';
import { NOT_READY_RETRY_SECONDS, type ServingState } from '../state.js';
import { sampleOptionsOf, sampleQueryProperties, type SampleQuery } from './sample-query.js';
import { readUpload, UPLOAD_FIELD } from './upload.js';

interface CaptionQuery extends SampleQuery {
  beam?: number;
  max_length?: number;
  no_repeat_ngram_size?: number;
  attention?: '0' | '1' | 'true' | 'false';
}

const querySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    beam: { type: 'integer', minimum: 1, maximum: 8, description: 'Beam width; 1 is greedy' },
    max_length: { type: 'integer', minimum: 1, maximum: 64, description: 'Most words to generate' },
    no_repeat_ngram_size: {
      type: 'integer',
      minimum: 0,
      maximum: 10,
      description: 'No n-gram of words twice in the caption; 0 = off',
    },
    attention: { type: 'string', enum: ['0', '1', 'true', 'false'], description: 'Include attention maps' },
    ...sampleQueryProperties,
  },
} as const;

const captionResponseSchema = {
  type: 'object',
  required: ['image', 'caption', 'tokens', 'score', 'timing_ms'],
  properties: {
    image: { type: 'string', description: 'The uploaded file name, as text' },
    caption: { type: 'string' },
    tokens: { type: 'array', items: { type: 'string' } },
    score: { type: 'number', description: 'Log-probability of the caption' },
    attention: {
      type: 'array',
      description: 'Per token, weights over the image grid (row-major)',
      items: { type: 'array', items: { type: 'number' } },
    },
    grid_size: { type: 'array', items: { type: 'integer' }, minItems: 2, maxItems: 2 },
    timing_ms: { type: 'number', description: 'Decode + caption time, queueing excluded' },
  },
} as const;

const uploadBodySchema = {
  type: 'object',
  required: [UPLOAD_FIELD],
  properties: {
    [UPLOAD_FIELD]: { type: 'string', format: 'binary', description: 'JPEG, PNG, WebP, GIF or AVIF (not HEIC)' },
  },
};

async function decodeUpload(bytes: Buffer, service: CaptionService, maxPixels: number): Promise<DecodedImage> {
  try {
    return await decodeImage(bytes, { size: service.imageSize, maxPixels });
  } catch (err) {
    if (!(err instanceof ImageDecodeError)) throw err;
    // An iPhone photo in HEIC gets its own code: the message says how to send it as JPEG instead.
    if (err.format === 'heic') throw new HttpError(415, 'heic_not_supported', err.message);
    const { status, code } = IMAGE_ERRORS[err.code];
    throw new HttpError(status, code, err.message);
  }
}

/** Settles with `work`, or with a 503 after `ms`; `work` keeps running (and holding its slot) either way. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unavailable('timeout', `Captioning took longer than ${ms} ms`, 1)), ms);
  });
  work.catch(() => undefined); // an abandoned job's failure is not an unhandled rejection
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function serviceIfServing(state: ServingState): CaptionService {
  if (state.draining) throw unavailable('draining', 'The server is shutting down', NOT_READY_RETRY_SECONDS);
  if (!state.service) throw unavailable('not_ready', 'The model is still loading', NOT_READY_RETRY_SECONDS);
  // Refuse before reading the upload: an overloaded server should not spend bandwidth (or memory: bodies are
  // buffered) on work it will refuse. `active` counts this request too.
  if (!state.admission.hasRoom() || state.active.count > state.limits.maxUploads) {
    throw unavailable('over_capacity', 'The server is busy; retry shortly', 1);
  }
  return state.service;
}

async function captionUpload(
  state: ServingState,
  request: FastifyRequest<{ Querystring: CaptionQuery }>,
  reply: FastifyReply,
) {
  const service = serviceIfServing(state);
  const sample = sampleOptionsOf(request.query);
  const maxBodyBytes = state.limits.maxUploadBytes + MULTIPART_OVERHEAD_BYTES;
  const upload = await readUpload(request, reply, {
    maxBodyBytes,
    timeoutMs: state.limits.bodyTimeoutMs,
    receiving: state.receiving,
  });
  const { beam, max_length: maxLength, no_repeat_ngram_size: noRepeatNgramSize, attention } = request.query;
  const wantAttention = attention === '1' || attention === 'true';
  const job = state.admission.run(async () => {
    const started = performance.now();
    const image = await decodeUpload(upload.bytes, service, state.limits.maxPixels);
    const result = await service.caption(image, { beam, maxLength, noRepeatNgramSize, ...(sample ? { sample } : {}) });
    return { result, timingMs: performance.now() - started };
  });
  const { result, timingMs } = await withDeadline(job, state.limits.captionTimeoutMs);
  if (wantAttention && (!result.attention || !result.gridSize)) {
    throw new HttpError(501, 'attention_unavailable', 'This model does not report attention maps');
  }
  return {
    image: upload.filename,
    caption: result.caption,
    tokens: result.words,
    score: result.score,
    ...(wantAttention ? { attention: result.attention, grid_size: result.gridSize } : {}),
    timing_ms: Math.round(timingMs * 10) / 10,
  };
}

// A JSON or urlencoded body would otherwise be parsed (and maybe refused as 400) before we can say 415; a declared
// length beyond the bound is refused before a byte of the body is read.
function requireMultipart(limits: ServingState['limits']) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const contentType = request.headers['content-type'] ?? '';
    if (!/^multipart\/form-data\b/i.test(contentType)) {
      const message = `Send multipart/form-data with the image in "${UPLOAD_FIELD}"; got ${JSON.stringify(contentType)}`;
      throw new HttpError(415, 'not_multipart', message);
    }
    const declared = Number(request.headers['content-length']);
    const maxBodyBytes = limits.maxUploadBytes + MULTIPART_OVERHEAD_BYTES;
    if (Number.isFinite(declared) && declared > maxBodyBytes) {
      reply.header('connection', 'close');
      throw new HttpError(
        413,
        'body_too_large',
        `Content-Length ${declared} exceeds ${maxBodyBytes} bytes (a ${limits.maxUploadBytes}-byte upload and its framing)`,
      );
    }
  };
}

/**
 * Numeric query options are plain decimals: the schema's coercion would read `0x5` as 5, `1e1` as 10, ` 1` (`%201`)
 * as 1 and `Infinity` as a number. Integers are digits only (ten at most: the seed goes to 4,294,967,295, which the
 * schema then bounds); the temperature is digits with an optional fraction.
 */
const DECIMAL_FORMS: Record<string, [RegExp, string]> = {
  beam: [/^(0|[1-9][0-9]{0,9})$/, 'a decimal integer'],
  max_length: [/^(0|[1-9][0-9]{0,9})$/, 'a decimal integer'],
  no_repeat_ngram_size: [/^(0|[1-9][0-9]{0,9})$/, 'a decimal integer'],
  top_k: [/^(0|[1-9][0-9]{0,9})$/, 'a decimal integer'],
  seed: [/^(0|[1-9][0-9]{0,9})$/, 'a decimal integer'],
  temperature: [/^(0|[1-9][0-9]{0,5})(\.[0-9]{1,12})?$/, 'a decimal number such as 0.7'],
};

async function requireDecimalOptions(request: FastifyRequest): Promise<void> {
  const query = request.query as Record<string, unknown>;
  for (const [name, [form, what]] of Object.entries(DECIMAL_FORMS)) {
    const value = query[name];
    if (value !== undefined && !(typeof value === 'string' && form.test(value))) {
      throw new HttpError(400, 'invalid_request', `querystring/${name} must be ${what}, got ${JSON.stringify(value)}`);
    }
  }
}

export async function captionRoutes(app: FastifyInstance, { state }: { state: ServingState }): Promise<void> {
  app.post<{ Querystring: CaptionQuery }>(
    '/caption',
    {
      onRequest: requireMultipart(state.limits),
      preValidation: requireDecimalOptions,
      // The handler parses the multipart body itself (a body schema would make fastify validate it), so the
      // request body appears in the OpenAPI description only.
      config: { swaggerTransform: ({ schema, url }) => ({ schema: { ...schema, body: uploadBodySchema }, url }) },
      schema: {
        summary: 'Caption one uploaded image',
        consumes: ['multipart/form-data'],
        querystring: querySchema,
        response: { 200: captionResponseSchema, '4xx': errorBodySchema, '5xx': errorBodySchema },
      },
    },
    (request, reply) => state.active.track(() => captionUpload(state, request, reply)),
  );
}
