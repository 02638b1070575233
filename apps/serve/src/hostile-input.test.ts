// What a hostile or careless client can send, over real sockets: lying lengths, stalled and oversized bodies,
// bad HTTP, odd query numbers, more uploads than the server holds, and a shutdown during a trickling upload.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './server.js';
import { FakeCaptionService } from './test-helpers/fake-service.js';

const BODY_TIMEOUT_MS = 600;
let server: RunningServer;
let port: number;

beforeAll(async () => {
  server = await startServer(
    {
      modelDir: 'm',
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      limits: { maxUploadBytes: 64 * 1024, maxInflight: 1, maxQueue: 1, maxUploads: 3, bodyTimeoutMs: BODY_TIMEOUT_MS },
    },
    async () => new FakeCaptionService(),
  );
  port = Number(new URL(server.url).port);
});
afterAll(() => server.shutdown());

const BOUNDARY = 'imgcapboundary';

/** Opens a socket and writes `head` (and `body`, if any); resolves the whole answer once the server closes or answers. */
function exchange(
  head: string,
  body: Buffer | string = '',
  { keepOpen = false } = {},
): { socket: Socket; answer: Promise<{ status: number; json: unknown; ms: number }> } {
  const socket = connect(port, '127.0.0.1');
  const started = performance.now();
  socket.write(head);
  if (body.length) socket.write(body);
  if (!keepOpen) socket.on('error', () => undefined);
  const answer = new Promise<{ status: number; json: unknown; ms: number }>((resolve, reject) => {
    let text = '';
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text)?.[1];
      if (split >= 0 && length && text.length >= split + 4 + Number(length)) {
        resolve({
          status: Number(text.slice(9, 12)),
          json: JSON.parse(text.slice(split + 4, split + 4 + Number(length))),
          ms: performance.now() - started,
        });
        socket.destroy();
      }
    });
    socket.on('close', () => reject(new Error(`closed without a full answer: ${JSON.stringify(text.slice(0, 200))}`)));
  });
  return { socket, answer };
}

const postHead = (length: number | null, query = '') =>
  `POST /caption${query} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\n` +
  (length === null ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${length}\r\n`) +
  '\r\n';

const filePart = (bytes: number) =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n${'x'.repeat(bytes)}\r\n--${BOUNDARY}--\r\n`;

const errorCode = (json: unknown) => (json as { error: { code: string } }).error.code;

describe('hostile uploads', () => {
  it('answers a Content-Length of 10^12 with 413 at once, in the documented error body', async () => {
    const { answer } = exchange(postHead(1e12));
    const { status, json, ms } = await answer;
    expect([status, errorCode(json)]).toEqual([413, 'body_too_large']);
    expect(ms).toBeLessThan(BODY_TIMEOUT_MS);
  });

  it('answers a body that stops short of its Content-Length with 408 within the body timeout', async () => {
    const { answer } = exchange(postHead(40_000), filePart(100).slice(0, 150), { keepOpen: true });
    const { status, json, ms } = await answer;
    expect([status, errorCode(json)]).toEqual([408, 'body_timeout']);
    expect(ms).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 50);
    expect(ms).toBeLessThan(BODY_TIMEOUT_MS + 2_000);
  });

  it('bounds the whole body, not only the file: a 1 MB preamble in a chunked body is a 413', async () => {
    const preamble = 'p'.repeat(1024 * 1024);
    const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
    const { answer } = exchange(postHead(null), chunk(preamble) + chunk(filePart(10)) + '0\r\n\r\n');
    const { status, json } = await answer;
    expect([status, errorCode(json)]).toEqual([413, 'body_too_large']);
  });

  it('refuses integer options that are not plain decimals (0x8, 1e1, 08) and accepts plain ones', async () => {
    for (const value of ['0x8', '1e1', '08', '2.0', '-1']) {
      const body = filePart(10);
      const { status, json } = await exchange(postHead(Buffer.byteLength(body), `?beam=${value}`), body).answer;
      expect([value, status, errorCode(json)]).toEqual([value, 400, 'invalid_request']);
    }
  });

  it('answers bad HTTP and oversized headers in the documented error body', async () => {
    const bad = await exchange('POST /caption HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n').answer;
    expect([bad.status, errorCode(bad.json)]).toEqual([400, 'bad_http']);
    const huge = await exchange(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`).answer;
    expect([huge.status, errorCode(huge.json)]).toEqual([431, 'headers_too_large']);
  });

  it('receives at most --max-uploads bodies at once: one more is a 503 before its body is read', async () => {
    const stalled = [0, 1, 2].map(() => exchange(postHead(40_000), filePart(10).slice(0, 80), { keepOpen: true }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const extra = await exchange(postHead(40_000), '', { keepOpen: true }).answer;
    expect([extra.status, errorCode(extra.json)]).toEqual([503, 'over_capacity']);
    const timedOut = await Promise.all(stalled.map((s) => s.answer));
    expect(timedOut.map((a) => a.status)).toEqual([408, 408, 408]);
  });
});

describe('a shutdown during a trickling upload', () => {
  it('cuts the upload with 503 draining instead of waiting for it', async () => {
    const trickle = await startServer(
      { modelDir: 'm', port: 0, host: '127.0.0.1', logLevel: 'silent', limits: { bodyTimeoutMs: 60_000 } },
      async () => new FakeCaptionService(),
    );
    port = Number(new URL(trickle.url).port);
    const { socket, answer } = exchange(postHead(40_000), filePart(10).slice(0, 60), { keepOpen: true });
    const dribble = setInterval(() => socket.writable && socket.write('x'), 50);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = performance.now();
    await trickle.shutdown();
    clearInterval(dribble);
    expect(performance.now() - started).toBeLessThan(2_000);
    const { status, json } = await answer;
    expect([status, errorCode(json)]).toEqual([503, 'draining']);
    port = Number(new URL(server.url).port);
  });
});
