// Captions/s of the real HTTP server (fastify + multipart + sharp decode + the tfjs engine) at 1 and 4
// connections, started in this process on a loopback port with the pipeline group's tiny bundle.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { encodeCaptionForm, loadUploadImage } from '../loadtest/multipart.mjs';
import { round } from './measure.mjs';
import { buildTinyBundle } from './pipeline.mjs';

const CONNECTIONS = [1, 4];

async function drive(url, upload, connections, amount) {
  const result = await autocannon({
    url: `${url}/caption`, method: 'POST', body: upload.body, headers: upload.headers, connections, amount, timeout: 120,
  });
  const ok = result['2xx'];
  if (ok !== amount) throw new Error(`serve bench: ${ok}/${amount} requests answered 2xx (non-2xx ${result.non2xx}, errors ${result.errors})`);
  return { captions_per_s: round(ok / result.duration), p50_ms: result.latency.p50, p99_ms: result.latency.p99, requests: ok };
}

/** POST /caption throughput and latency; one 500×375 JPEG replayed (decode cost as for a Flickr30k photo). */
export async function benchServeGroup({ repeats }) {
  const dir = await mkdtemp(join(tmpdir(), 'imgcap-bench-serve-'));
  let server;
  try {
    // Imported here: the serve app is an app (no package exports) and is built by `npm run bench` first.
    const { startServer } = await import('../../apps/serve/dist/index.js');
    await buildTinyBundle(join(dir, 'bundle'));
    server = await startServer({
      modelDir: join(dir, 'bundle'), port: 0, host: '127.0.0.1', logLevel: 'silent', limits: { maxInflight: 1, maxQueue: 8 },
    });
    const upload = await encodeCaptionForm(await loadUploadImage());
    await drive(server.url, upload, 1, 4); // warm-up
    const result = { bundle: 'tiny preset, patch8@64, vocab 10 000, captions of 35 ids', max_inflight: 1 };
    for (const connections of CONNECTIONS) result[`connections_${connections}`] = await drive(server.url, upload, connections, 20 * repeats);
    return result;
  } finally {
    await server?.shutdown();
    await rm(dir, { recursive: true, force: true });
  }
}
