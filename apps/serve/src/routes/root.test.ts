import { describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { FakeCaptionService } from '../test-helpers/fake-service.js';

describe('GET /', () => {
  it('gives browsers the page and every other client the Keras server’s JSON, with the bundle config', async () => {
    const engine = Object.assign(new FakeCaptionService(), {
      modelConfig: { arch: 'seed', embedDim: 512, seqLength: 36 },
      backboneWeights: "efficientnet-b1@224: ImageNet weights, Keras's efficientnetb1_notop.h5",
    });
    const app = await buildApp({ service: engine });
    try {
      const browser = await app.inject({ url: '/', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      expect(browser.headers['content-type']).toMatch(/^text\/html/);
      expect(browser.headers.vary).toMatch(/Accept/);
      for (const accept of ['*/*', 'application/json', undefined]) {
        const response = await app.inject({ url: '/', headers: accept ? { accept } : {} });
        expect(response.statusCode, String(accept)).toBe(200);
        expect(response.json(), String(accept)).toEqual({
          Message: 'API for Image Captioning',
          'Health Check ': 'OK',
          Version: '0.1.0',
          MODEL_CONFIG: { arch: 'seed', embedDim: 512, seqLength: 36 },
          BACKBONE_WEIGHTS: "efficientnet-b1@224: ImageNet weights, Keras's efficientnetb1_notop.h5",
        });
      }
    } finally {
      await app.close();
    }
  });

  it('says it is still loading, with no config, before a model is attached', async () => {
    const app = await buildApp();
    try {
      const body = (await app.inject({ url: '/', headers: { accept: '*/*' } })).json();
      expect(body).toMatchObject({ 'Health Check ': 'loading', MODEL_CONFIG: null, BACKBONE_WEIGHTS: null });
    } finally {
      await app.close();
    }
  });
});

describe('GET /docs', () => {
  it('serves Swagger UI over the server’s own OpenAPI document', async () => {
    const app = await buildApp();
    try {
      const page = await app.inject({ url: '/docs' });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('swagger-ui');
      expect((await app.inject({ url: '/docs/static/swagger-ui-bundle.js' })).statusCode).toBe(200);
      const spec = (await app.inject({ url: '/docs/json' })).json();
      expect(Object.keys(spec.paths)).toContain('/caption');
      expect(spec.paths).not.toHaveProperty('/docs/json');
    } finally {
      await app.close();
    }
  });
});
