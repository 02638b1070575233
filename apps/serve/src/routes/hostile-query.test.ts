// Query strings, Accept headers and URLs a careless or hostile client sends: each is a 4xx in the server's own
// `{ error: { code, message } }` body, never a 500, and what the OpenAPI document says is what the server accepts.
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { FakeCaptionService } from '../test-helpers/fake-service.js';
import { fixtureUpload } from '../test-helpers/multipart.js';

let app: FastifyInstance;
beforeEach(async () => {
  app = await buildApp({ service: new FakeCaptionService() });
});
afterEach(() => app.close());

const caption = async (query: string) => {
  const form = await fixtureUpload('jpeg', 'photo.jpg');
  return app.inject({ method: 'POST', url: `/caption?${query}`, payload: form.payload, headers: form.headers });
};
const errorOf = (response: { json(): unknown }) =>
  (response.json() as { error: { code: string; message: string } }).error;

describe('numeric query options are plain decimals', () => {
  it.each([
    ['sample=1&temperature=Infinity', 'temperature'],
    ['sample=1&temperature=-Infinity', 'temperature'],
    ['sample=1&temperature=1e1', 'temperature'],
    ['sample=1&temperature=0x1', 'temperature'],
    ['sample=1&temperature=%201', 'temperature'],
    ['beam=0x5', 'beam'],
    ['beam=%201', 'beam'],
    ['sample=1&seed=-1', 'seed'],
  ])('%s is a 400 naming %s', async (query, name) => {
    const response = await caption(query);
    expect(response.statusCode, response.body).toBe(400);
    expect(errorOf(response)).toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining(`querystring/${name}`),
    });
  });

  it('takes a seed up to the 4,294,967,295 the OpenAPI document states, and refuses one above by the schema', async () => {
    expect((await caption('sample=1&temperature=0.7&seed=4294967295')).statusCode).toBe(200);
    const above = await caption('sample=1&seed=4294967296');
    expect(above.statusCode).toBe(400);
    expect(errorOf(above).message).toMatch(/seed must be <= 4294967295/);
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    const seed = doc.paths['/caption'].post.parameters.find((p: { name: string }) => p.name === 'seed');
    expect(seed.schema.maximum).toBe(4294967295);
  });
});

describe('GET / negotiates by q-values', () => {
  it.each([
    ['text/html;q=0, application/json', 'application/json'],
    ['text/html;q=0.1, application/json;q=0.9', 'application/json'],
    ['application/json;q=0.5, text/html', 'text/html'],
    ['text/*', 'text/html'],
    ['*/*', 'application/json'],
  ])('Accept: %s → %s', async (accept, type) => {
    const response = await app.inject({ url: '/', headers: { accept } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(new RegExp(`^${type}`));
  });

  it.each(['image/png', 'text/html;q=0'])('answers Accept: %s with 406 and the JSON error body', async (accept) => {
    const response = await app.inject({ url: '/', headers: { accept } });
    expect(response.statusCode).toBe(406);
    expect(errorOf(response).code).toBe('not_acceptable');
  });
});

describe('URLs and the API description', () => {
  it('answers an undecodable URL with the server’s own error body', async () => {
    const response = await app.inject({ url: '/docs/static/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd' });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response)).toMatchObject({ code: 'bad_url' });
  });

  it('describes every route it serves, in /openapi.json and in the document /docs loads', async () => {
    const paths = Object.keys((await app.inject({ url: '/openapi.json' })).json().paths).sort();
    expect(paths).toEqual([
      '/',
      '/browser/model.json',
      '/browser/model/{file}',
      '/browser/{*}',
      '/caption',
      '/healthz',
      '/metrics',
      '/openapi.json',
      '/readyz',
    ]);
    expect(Object.keys((await app.inject({ url: '/docs/json' })).json().paths).sort()).toEqual(paths);
  });
});
