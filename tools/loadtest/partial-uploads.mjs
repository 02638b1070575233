// The upload-flood probe: N connections each declare a ~9.5 MiB upload, send the first MiB and withhold the rest
// (as a slow or hostile client would). The server must receive at most --max-uploads bodies at once, refuse the
// others before reading them, stay live (/healthz) and give its memory back once the sockets close.
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { readMetric } from './report.mjs';

const DECLARED_BYTES = Math.round(9.5 * 1024 * 1024);
const SENT_BYTES = 1024 * 1024;
const BOUNDARY = 'imgcapflood';

async function rss(url) {
  return readMetric(await (await fetch(`${url}/metrics`)).text(), 'process_resident_memory_bytes');
}

/** Opens one partial upload; resolves with the status line the server answered (or 'closed'). */
function partialUpload(port, payload) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) resolve({ status: Number(answer.slice(9, 12)), socket });
    });
    socket.on('error', () => resolve({ status: 'error', socket }));
    socket.on('close', () => resolve({ status: answer ? Number(answer.slice(9, 12)) : 'closed', socket }));
    socket.write(
      `POST /caption HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${DECLARED_BYTES}\r\n\r\n` +
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="flood.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
    );
    socket.write(payload);
  });
}

/** Runs the flood against a started server; returns RSS before, at peak and after, the answers, and /healthz times. */
export async function partialUploadsRun(url, { connections, holdMs = 3000, progress = () => {} }) {
  const port = Number(new URL(url).port);
  const payload = Buffer.alloc(SENT_BYTES, 0x61);
  const before = await rss(url);
  progress(`partial uploads: ${connections} connections × ${SENT_BYTES} of ${DECLARED_BYTES} bytes, held ${holdMs} ms`);
  let peak = before;
  const health = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const started = performance.now();
      const ok = (await fetch(`${url}/healthz`).catch(() => null))?.status === 200;
      health.push(ok ? performance.now() - started : Infinity);
      peak = Math.max(peak, (await rss(url)) ?? 0);
      await delay(100);
    }
  })();
  const opened = [];
  for (let i = 0; i < connections; i++) opened.push(partialUpload(port, payload));
  const answers = await Promise.race([Promise.all(opened), delay(holdMs).then(() => null)]);
  await delay(holdMs);
  sampling = false;
  await sampler;
  // Whatever is still open (the uploads the server is receiving) is dropped by the client now.
  for (const pending of opened) void pending.then(({ socket }) => socket.destroy());
  const statuses = {};
  for (const result of answers ??
    (await Promise.all(opened.map((p) => Promise.race([p, delay(10).then(() => ({ status: 'open' }))]))))) {
    statuses[result.status] = (statuses[result.status] ?? 0) + 1;
  }
  await delay(2000);
  const after = await rss(url);
  const sorted = health.filter(Number.isFinite).sort((a, b) => a - b);
  return {
    run: 'partial_uploads',
    connections,
    declared_bytes: DECLARED_BYTES,
    sent_bytes: SENT_BYTES,
    statuses,
    rss_before: before,
    rss_peak: peak,
    rss_after: after,
    healthz_ok: sorted.length,
    healthz_failed: health.length - sorted.length,
    healthz_p99_ms: sorted.length
      ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))])
      : null,
  };
}
