import { describe, it, expect } from 'vitest';
import { readImageFixture } from '@imgcap/image-io/fixtures';
import { DEFAULT_LIMITS, DEFAULT_MAX_BATCH } from './limits.js';
import { parseServerArgs, startServer, type ServerConfig } from './server.js';
import { FakeCaptionService } from './test-helpers/fake-service.js';

import { createServer } from 'node:net';

const config = (): ServerConfig => ({
  modelDir: '/models/demo',
  port: 0,
  host: '127.0.0.1',
  logLevel: 'silent',
  limits: {},
});

/** Listens on `port` and closes again; rejects when the port is taken. */
function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(port, '127.0.0.1', () => {
      const { port: bound } = probe.address() as { port: number };
      probe.close(() => resolve(bound));
    });
  });
}

async function uploadForm() {
  const form = new FormData();
  form.append('file', new Blob([await readImageFixture('cmykJpeg')]), 'cmyk.jpg');
  return form;
}

describe('parseServerArgs', () => {
  it('uses the documented defaults', () => {
    expect(parseServerArgs(['--model', 'runs/m'])).toEqual({
      modelDir: 'runs/m',
      port: 8012,
      host: '127.0.0.1',
      backend: undefined,
      maxBatch: DEFAULT_MAX_BATCH,
      logLevel: 'info',
      limits: DEFAULT_LIMITS,
    });
  });

  it('reads every flag', () => {
    const args = ['--model', 'm', '--port', '9000', '--host', '0.0.0.0', '--backend', 'wasm', '--max-inflight', '2'];
    args.push('--max-queue', '0', '--queue-timeout-ms', '5', '--caption-timeout-ms', '6');
    args.push(
      '--max-upload-bytes',
      '7',
      '--max-pixels',
      '8',
      '--max-batch',
      '3',
      '--max-uploads',
      '9',
      '--body-timeout-ms',
      '10',
    );
    expect(parseServerArgs(args)).toEqual({
      modelDir: 'm',
      port: 9000,
      host: '0.0.0.0',
      backend: 'wasm',
      maxBatch: 3,
      logLevel: 'info',
      limits: {
        maxInflight: 2,
        maxQueue: 0,
        queueTimeoutMs: 5,
        captionTimeoutMs: 6,
        maxUploadBytes: 7,
        maxPixels: 8,
        maxUploads: 9,
        bodyTimeoutMs: 10,
      },
    });
  });

  it.each([
    [['--model', 'm', '--port', 'http'], '--port must be an integer ≥ 0; got "http"'],
    [['--model', 'm', '--max-inflight', '0'], '--max-inflight must be an integer ≥ 1; got "0"'],
    [[], "required option '--model <dir>' not specified"],
    [['--model', 'm', '--workers', '2'], "unknown option '--workers'"],
    [
      ['--model', 'm', '--backend', 'webgl'],
      "option '--backend <name>' argument 'webgl' is invalid. Allowed choices are auto, tensorflow, webgpu, wasm, cpu.",
    ],
  ])('refuses %j', (argv, message) => {
    const stderr = process.stderr.write;
    process.stderr.write = () => true; // commander prints the error too
    try {
      expect(() => parseServerArgs(argv)).toThrow(message);
    } finally {
      process.stderr.write = stderr;
    }
  });
});

describe('startServer', () => {
  it('loads the engine from the model dir, serves captions over HTTP, and shuts down after in-flight work', async () => {
    const engine = new FakeCaptionService();
    const loaded: unknown[] = [];
    const server = await startServer({ ...config(), backend: 'cpu' }, async (dir, options) => {
      loaded.push([dir, options]);
      return engine;
    });
    expect(loaded).toEqual([['/models/demo', { backend: 'cpu', engine: undefined, maxBatch: DEFAULT_MAX_BATCH }]]);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

    const release = engine.hold();
    const inflight = fetch(`${server.url}/caption`, { method: 'POST', body: await uploadForm() });
    while (engine.received.length === 0) await new Promise((r) => setTimeout(r, 5));
    const stopped = server.shutdown();
    expect((await server.app.inject('/readyz')).statusCode).toBe(503);
    release();
    const response = await inflight;
    expect([response.status, (await response.json()).caption]).toEqual([200, 'a red picture']);
    await stopped;
    expect(engine.disposed).toBe(true);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('stops listening and rethrows when the model cannot be loaded', async () => {
    const port = await listenOnce(0);
    const failing = startServer({ ...config(), port }, async () => {
      throw new Error('Model directory not found: /models/demo');
    });
    await expect(failing).rejects.toThrow('Model directory not found: /models/demo');
    await expect(listenOnce(port)).resolves.toBe(port);
  });
});
