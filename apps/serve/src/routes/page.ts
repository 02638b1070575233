import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';

// Resolves from both src/routes (tests) and dist/routes (built app): the page is not copied by tsc.
const PAGE_URL = new URL('../../src/page/index.html', import.meta.url);

export function readPage(): Promise<string> {
  return readFile(PAGE_URL, 'utf8');
}

export async function pageRoutes(app: FastifyInstance, { page }: { page: string }): Promise<void> {
  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(page),
  );
}
