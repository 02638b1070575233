import { describe, it, expect, afterEach } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from './app.js';
import { FakeCaptionService } from './test-helpers/fake-service.js';
import { fixtureUpload } from './test-helpers/multipart.js';

let app: FastifyInstance;
afterEach(() => app?.close());

async function start(options: AppOptions) {
  app = await buildApp(options);
  const upload = await fixtureUpload('rgbaPng');
  const caption = () =>
    app.inject({ method: 'POST', url: '/caption', payload: upload.payload, headers: upload.headers });
  return { caption };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('readiness', () => {
  it('is live at once, and ready only once an engine is attached', async () => {
    const { caption } = await start({});
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const notReady = await app.inject('/readyz');
    expect(notReady.statusCode).toBe(503);
    expect(notReady.headers['retry-after']).toBe('5');
    const refused = await caption();
    expect([refused.statusCode, refused.json().error.code, refused.headers['retry-after']]).toEqual([
      503,
      'not_ready',
      '5',
    ]);
    app.serving.attachService(new FakeCaptionService());
    expect(app.serving.ready).toBe(true);
    expect((await app.inject('/readyz')).json()).toEqual({ status: 'ready' });
    expect((await caption()).statusCode).toBe(200);
  });
});

describe('bounded work', () => {
  it('answers beyond maxInflight + maxQueue with a fast 503 and Retry-After, then serves the admitted ones', async () => {
    const engine = new FakeCaptionService();
    const { caption } = await start({ service: engine, limits: { maxInflight: 1, maxQueue: 1 } });
    const release = engine.hold();
    const admitted = [caption(), caption()];
    await tick();
    const started = performance.now();
    const refused = await caption();
    expect(performance.now() - started).toBeLessThan(200);
    expect([refused.statusCode, refused.json().error.code, refused.headers['retry-after']]).toEqual([
      503,
      'over_capacity',
      '1',
    ]);
    release();
    expect((await Promise.all(admitted)).map((r) => r.statusCode)).toEqual([200, 200]);
  });

  it('answers a caption slower than captionTimeoutMs with 503 timeout', async () => {
    const engine = new FakeCaptionService();
    const { caption } = await start({ service: engine, limits: { captionTimeoutMs: 50 } });
    const release = engine.hold();
    const response = await caption();
    expect([response.statusCode, response.json().error.code]).toEqual([503, 'timeout']);
    release();
  });

  it('answers a request queued longer than queueTimeoutMs with 503 queue_timeout', async () => {
    const engine = new FakeCaptionService();
    const { caption } = await start({ service: engine, limits: { maxInflight: 1, maxQueue: 1, queueTimeoutMs: 50 } });
    const release = engine.hold();
    const first = caption();
    await tick();
    const queued = await caption();
    expect([queued.statusCode, queued.json().error.code]).toEqual([503, 'queue_timeout']);
    release();
    expect((await first).statusCode).toBe(200);
  });
});

describe('drain', () => {
  it('flips readiness, refuses new captions, finishes in-flight ones, then resolves', async () => {
    const engine = new FakeCaptionService();
    const { caption } = await start({ service: engine });
    const release = engine.hold();
    const inflight = caption();
    await tick();
    let drained = false;
    const draining = app.serving.drain().then(() => (drained = true));
    expect((await app.inject('/readyz')).json().error.code).toBe('draining');
    const refused = await caption();
    expect([refused.statusCode, refused.json().error.code]).toEqual([503, 'draining']);
    await tick();
    expect(drained).toBe(false);
    release();
    expect((await inflight).statusCode).toBe(200);
    await draining;
    expect(drained).toBe(true);
  });
});

describe('GET /metrics', () => {
  it('reports requests by route and status, latency, queue, in-flight and tfjs tensors', async () => {
    let tensors = 7;
    const { caption } = await start({ service: new FakeCaptionService(), tensorsAlive: () => tensors });
    await caption();
    await app.inject('/readyz');
    tensors = 9;
    const response = await app.inject('/metrics');
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const text = response.body;
    expect(text).toContain('imgcap_http_requests_total{route="/caption",method="POST",status="200"} 1');
    expect(text).toContain('imgcap_http_requests_total{route="/readyz",method="GET",status="200"} 1');
    expect(text).toContain('imgcap_http_request_duration_seconds_count{route="/caption"} 1');
    expect(text).toContain('imgcap_caption_queue_depth 0');
    expect(text).toContain('imgcap_caption_inflight 0');
    expect(text).toContain('imgcap_tfjs_tensors_alive 9');
  });
});

describe('GET /openapi.json', () => {
  it('describes POST /caption with its multipart body, query and responses', async () => {
    await start({ service: new FakeCaptionService() });
    const spec = (await app.inject('/openapi.json')).json();
    const operation = spec.paths['/caption'].post;
    expect(operation.requestBody.content['multipart/form-data'].schema.properties.file.format).toBe('binary');
    expect(operation.parameters.map((p: { name: string }) => p.name)).toEqual([
      'beam',
      'max_length',
      'no_repeat_ngram_size',
      'attention',
      'sample',
      'temperature',
      'top_k',
      'seed',
    ]);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '4XX', '5XX']));
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/metrics']));
  });
});
