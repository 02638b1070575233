import fastifyAccepts from '@fastify/accepts';
import fastifyMultipart from '@fastify/multipart';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { AdmissionControl } from './admission.js';
import type { CaptionService } from './caption-service.js';
import { sendError, sendProtocolError } from './errors.js';
import { resolveLimits, type ServeLimits } from './limits.js';
import { createMetrics } from './metrics.js';
import type { BrowserModelSource } from './browser/browser-model.js';
import { browserRoutes } from './routes/browser.js';
import { captionRoutes } from './routes/caption.js';
import { healthRoutes } from './routes/health.js';
import { pageRoutes, readPage, SERVER_VERSION } from './routes/page.js';
import { registerSecurityHeaders } from './routes/security-headers.js';
import { ActiveRequests, type ServingState } from './state.js';

export interface AppOptions {
  /** A loaded and warmed caption service; leave out to start not-ready and call `serving.attachService` later. */
  service?: CaptionService;
  limits?: Partial<ServeLimits>;
  /** Reports tfjs tensors alive for /metrics (e.g. () => tf.memory().numTensors). */
  tensorsAlive?: () => number;
  logger?: FastifyServerOptions['logger'];
  /** The model the web page may download to caption in the browser; absent: server captions only. */
  browserModel?: BrowserModelSource;
}

/** Readiness and shutdown control of a built app. */
export interface ServingControl {
  readonly ready: boolean;
  /** Marks the app ready with a caption service that is already loaded and warmed. */
  attachService(service: CaptionService): void;
  /** Flips readiness to 503, refuses new captions, and resolves when in-flight and queued captions are done. */
  drain(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    serving: ServingControl;
  }
}

/** Builds the caption server without listening, so tests can drive it with `app.inject`. */
export async function buildApp(options: AppOptions = {}): Promise<FastifyInstance> {
  const limits = resolveLimits(options.limits);
  const state: ServingState = {
    service: options.service,
    draining: false,
    admission: new AdmissionControl(limits),
    active: new ActiveRequests(),
    receiving: new Set(),
    limits,
  };
  const app = Fastify({
    logger: options.logger ?? false,
    // Unknown query parameters are an error, not silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
    // The last resort behind the body timeout: no request holds a connection for ever.
    requestTimeout: limits.bodyTimeoutMs + limits.captionTimeoutMs + limits.queueTimeoutMs + 30_000,
    clientErrorHandler: (error, socket) => sendProtocolError(error, socket),
    // Errors raised before routing (an undecodable URL) get the same body as every other error.
    frameworkErrors: (error, request, reply) => sendError(error, request, reply),
  });
  app.decorate('serving', servingControl(state));
  app.setErrorHandler(sendError);
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'not_found', message: `No route ${request.method} ${request.url}` } }),
  );

  const metrics = createMetrics({
    queueDepth: () => state.admission.queued,
    inflight: () => state.admission.inflight,
    // The engine that is attached later (startServer) reports its own tensors when it uses tfjs.
    tensorsAlive: options.tensorsAlive ?? (() => state.service?.tensorsAlive?.() ?? 0),
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
  });

  await app.register(fastifyAccepts);
  const page = await readPage();
  await registerSecurityHeaders(app, page);
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'imgcap caption server', version: SERVER_VERSION, description: 'Captions an uploaded image.' },
    },
  });
  // Interactive API docs (which load the document from /docs/json) over the same OpenAPI document as /openapi.json,
  // where the Keras server had FastAPI's.
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await app.register(fastifyMultipart, {
    limits: { fileSize: limits.maxUploadBytes, files: 2, fields: 2, parts: 4 },
  });
  await app.register(healthRoutes, { state, metrics });
  await app.register(captionRoutes, { state });
  await app.register(pageRoutes, {
    page,
    modelConfig: () => state.service?.modelConfig ?? null,
    backboneWeights: () => state.service?.backboneWeights ?? null,
  });
  await app.register(browserRoutes, { model: options.browserModel });
  return app;
}

function servingControl(state: ServingState): ServingControl {
  return {
    get ready() {
      return state.service !== undefined && !state.draining;
    },
    attachService(service) {
      state.service = service;
    },
    async drain() {
      state.draining = true;
      for (const cut of state.receiving) cut();
      await state.active.whenIdle();
      // A job whose request timed out still runs; the engine must not be disposed under it.
      await state.admission.whenIdle();
    },
  };
}
