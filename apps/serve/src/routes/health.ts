import type { FastifyInstance } from 'fastify';
import { errorBodySchema, unavailable } from '../errors.js';
import type { ServeMetrics } from '../metrics.js';
import { NOT_READY_RETRY_SECONDS, type ServingState } from '../state.js';

const statusSchema = { type: 'object', properties: { status: { type: 'string' } } } as const;

export async function healthRoutes(
  app: FastifyInstance,
  { state, metrics }: { state: ServingState; metrics: ServeMetrics },
): Promise<void> {
  app.get('/healthz', { schema: { summary: 'Liveness', response: { 200: statusSchema } } }, async () => ({
    status: 'ok',
  }));

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: model loaded and warmed, not draining',
        response: { 200: statusSchema, 503: errorBodySchema },
      },
    },
    async () => {
      if (state.draining) throw unavailable('draining', 'The server is shutting down', NOT_READY_RETRY_SECONDS);
      if (!state.service) throw unavailable('not_ready', 'The model is still loading', NOT_READY_RETRY_SECONDS);
      return { status: 'ready' };
    },
  );

  app.get('/metrics', { schema: { summary: 'Prometheus metrics' } }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  app.get(
    '/openapi.json',
    { schema: { summary: 'This API described as OpenAPI 3 (the document /docs shows)' } },
    async () => app.swagger(),
  );
}
