import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';

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
  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    reply.header('vary', 'Accept');
    if ((request.headers.accept ?? '').includes('text/html')) return reply.type('text/html; charset=utf-8').send(page);
    return {
      Message: 'API for Image Captioning',
      'Health Check ': app.serving.ready ? 'OK' : 'loading',
      Version: SERVER_VERSION,
      MODEL_CONFIG: modelConfig(),
      BACKBONE_WEIGHTS: backboneWeights(),
    };
  });
}
