// The same contract as routes/caption.test.ts, over a real socket: what curl and browsers see.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { request } from 'node:http';
import { readImageFixture, type ImageFixtureName } from '@imgcap/image-io/fixtures';
import { startServer, type RunningServer } from './server.js';
import { FakeCaptionService } from './test-helpers/fake-service.js';
import { encodeForm } from './test-helpers/multipart.js';

let server: RunningServer;
const engine = new FakeCaptionService();

beforeAll(async () => {
  server = await startServer(
    {
      modelDir: 'm',
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      limits: { maxUploadBytes: 64 * 1024, maxInflight: 1, maxQueue: 0 },
    },
    async () => engine,
  );
});
afterAll(() => server.shutdown());

async function postFiles(...files: [ImageFixtureName | Uint8Array, string][]) {
  const form = new FormData();
  for (const [file, filename] of files) {
    const bytes = typeof file === 'string' ? await readImageFixture(file) : file;
    form.append('file', new Blob([bytes]), filename);
  }
  const response = await fetch(`${server.url}/caption`, { method: 'POST', body: form });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

/** Sends `payload` over a raw socket and closes the request, so the server sees exactly these bytes. */
function postRaw(payload: Buffer, contentType: string): Promise<{ status: number; body: { error: { code: string } } }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}/caption`,
      { method: 'POST', headers: { 'content-type': contentType } },
      (res) => {
        let text = '';
        res
          .on('data', (chunk) => (text += chunk))
          .on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('POST /caption over HTTP', () => {
  it.each([
    ['exifRotatedJpeg', 200, undefined],
    ['animatedGif', 200, undefined],
    ['pngBomb', 413, 'too_many_pixels'],
    ['truncatedBodyJpeg', 422, 'truncated_image'],
    ['svg', 415, 'unsupported_image'],
    ['empty', 400, 'empty_file'],
  ] as [ImageFixtureName, number, string | undefined][])('%s → %i', async (name, status, code) => {
    const response = await postFiles([name, `${name}.jpg`]);
    expect(response.status).toBe(status);
    if (code) expect(response.body.error.code).toBe(code);
    else expect(response.body.caption).toMatch(/^a \w+ picture$/);
  });

  it('refuses an upload over the 64 KB limit with 413', async () => {
    const response = await postFiles([new Uint8Array(65 * 1024), 'big.jpg']);
    expect([response.status, response.body.error.code]).toEqual([413, 'upload_too_large']);
  });

  it('refuses two files with 400', async () => {
    const response = await postFiles(['jpeg', 'a.jpg'], ['jpeg', 'b.jpg']);
    expect([response.status, response.body.error.code]).toEqual([400, 'too_many_files']);
  });

  it('refuses a multipart body cut short with 400', async () => {
    const form = new FormData();
    form.append('file', new Blob([await readImageFixture('jpeg')]), 'a.jpg');
    const { payload, headers } = await encodeForm(form);
    const response = await postRaw(payload.subarray(0, payload.length - 60), headers['content-type']);
    expect([response.status, response.body.error.code]).toEqual([400, 'malformed_multipart']);
  });

  it('refuses a non-multipart body with 415', async () => {
    const response = await postRaw(Buffer.from('{"file":1}'), 'application/json');
    expect([response.status, response.body.error.code]).toEqual([415, 'not_multipart']);
  });

  it('answers 503 with Retry-After when the only slot is busy', async () => {
    const release = engine.hold();
    // Earlier tests already reached the engine: wait for this request's own arrival, or the two requests race.
    const seen = engine.received.length;
    const busy = postFiles(['jpeg', 'a.jpg']);
    while (engine.received.length === seen) await new Promise((r) => setTimeout(r, 5));
    const refused = await postFiles(['jpeg', 'b.jpg']);
    release();
    expect([refused.status, refused.body.error.code, refused.headers.get('retry-after')]).toEqual([
      503,
      'over_capacity',
      '1',
    ]);
    expect((await busy).status).toBe(200);
  });
});
