// Captions/s of the real HTTP server (fastify + multipart + sharp decode + the engine) at 1 and 4
// connections, on the tfjs and the ONNX engine in turn: the built server (apps/serve/dist/main.js) runs in its own
// process on a loopback port with the pipeline group's tiny bundle, so the load generator does not share its event loop.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { encodeCaptionForm, loadUploadImage } from '../loadtest/multipart.mjs';
import { startServerProcess } from '../loadtest/server-process.mjs';
import { round } from './measure.mjs';
import { buildTinyBundle } from './pipeline.mjs';

const CONNECTIONS = [1, 4];
const SERVER_SCRIPT = join(import.meta.dirname, '../../apps/serve/dist/main.js');

/** `seconds` of uploads over `connections`: captions/s from the 200s answered in that time, and their latency. */
async function drive(url, upload, connections, seconds) {
  const result = await autocannon({
    url: `${url}/caption`,
    method: 'POST',
    body: upload.body,
    headers: upload.headers,
    connections,
    duration: seconds,
    timeout: 120,
  });
  const ok = result['2xx'];
  if (result.non2xx > 0 || ok === 0)
    throw new Error(`serve bench: ${ok} answered 2xx, ${result.non2xx} not (errors ${result.errors})`);
  return { captions_per_s: round(ok / seconds), p50_ms: result.latency.p50, p99_ms: result.latency.p99, requests: ok };
}

/** POST /caption throughput and latency for each engine; one 500×375 JPEG replayed (decode cost as for a Flickr30k photo). */
export async function benchServeGroup({ repeats }) {
  const dir = await mkdtemp(join(tmpdir(), 'imgcap-bench-serve-'));
  try {
    await buildTinyBundle(join(dir, 'bundle'));
    const upload = await encodeCaptionForm(await loadUploadImage());
    const result = { bundle: 'tiny preset, patch8@64, vocab 10 000, captions of 35 ids', max_inflight: 1 };
    for (const engine of ['tfjs', 'onnx']) {
      // Built by `npm run bench` before it starts.
      const server = await startServerProcess({
        script: SERVER_SCRIPT,
        modelDir: join(dir, 'bundle'),
        maxInflight: 1,
        maxQueue: 8,
        readyTimeoutMs: 120_000,
        extraArgs: ['--engine', engine],
      });
      try {
        await drive(server.url, upload, 1, 1); // warm-up
        result[engine] = {};
        for (const connections of CONNECTIONS)
          result[engine][`connections_${connections}`] = await drive(
            server.url,
            upload,
            connections,
            Math.max(2, repeats),
          );
      } finally {
        await server.stop();
      }
    }
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
