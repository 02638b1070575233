import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { errorBodySchema, HttpError } from '../errors.js';

// Resolves from both src/routes (tests) and dist/routes (built app): the page is not copied by tsc.
const PAGE_URL = new URL('../../src/page/index.html', import.meta.url);

export function readPage(): Promise<string> {
  return readFile(PAGE_URL, 'utf8');
}

/** What the server reports of its version at GET / (the package's). */
export const SERVER_VERSION = '0.1.0';

/**
 * GET /: the web page for browsers (they ask for text/html), and for every other client (curl's `* / *`,
 * `application/json`, no Accept at all) the JSON the Keras project's server answered, its field names kept — the
 * trailing space of "Health Check " included — with the loaded bundle's config in the bundle's own field names.
 */
const rootSchema = {
  summary: "The web page (text/html), or the Keras server's JSON greeting (application/json, */*, no Accept)",
  produces: ['application/json', 'text/html'],
  response: {
    200: {
      description: 'The page, or the JSON below',
      type: 'object',
      properties: {
        Message: { type: 'string' },
        'Health Check ': { type: 'string', enum: ['OK', 'loading'] },
        Version: { type: 'string' },
        MODEL_CONFIG: { type: ['object', 'null'], additionalProperties: true },
        BACKBONE_WEIGHTS: { type: ['string', 'null'] },
      },
    },
    406: errorBodySchema,
  },
};

export async function pageRoutes(
  app: FastifyInstance,
  {
    page,
    modelConfig,
    backboneWeights,
  }: {
    page: string;
    modelConfig: () => Readonly<Record<string, unknown>> | null;
    backboneWeights: () => string | null;
  },
): Promise<void> {
  app.get('/', { schema: rootSchema }, async (request, reply) => {
    reply.header('vary', 'Accept');
    // Proper negotiation (q-values, wildcards): JSON first, so `*/*` and no Accept at all get the Keras server's JSON.
    const type = request.accepts().type(['application/json', 'text/html']);
    if (type === false) {
      throw new HttpError(
        406,
        'not_acceptable',
        'GET / answers application/json or text/html; the Accept header allows neither',
      );
    }
    if (type === 'text/html') return reply.type('text/html; charset=utf-8').send(page);
    return {
      Message: 'API for Image Captioning',
      'Health Check ': app.serving.ready ? 'OK' : 'loading',
      Version: SERVER_VERSION,
      MODEL_CONFIG: modelConfig(),
      BACKBONE_WEIGHTS: backboneWeights(),
    };
  });
}
