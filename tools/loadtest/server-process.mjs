// Starts the caption server as a child process on a free local port and waits until /readyz says 200, so every
// measurement hits a loaded and warmed model.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

const OUTPUT_TAIL_CHARS = 4000;
const READY_POLL_MS = 250;

/** A port nothing listens on now (the OS picks it); the tiny race before the child binds it is acceptable here. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Spawns `node <script> --model <modelDir> --host 127.0.0.1 --port <free> --max-inflight … --max-queue …` and resolves
 * once GET /readyz answers 200. Throws with the server's last output if it exits or is not ready in time.
 * Returns `{ url, pid, output(), stop() }`; `stop()` sends SIGTERM (a graceful drain) and resolves with the exit.
 */
export async function startServerProcess({ script, modelDir, maxInflight, maxQueue, readyTimeoutMs, extraArgs = [] }) {
  const port = await freePort();
  const args = [
    script,
    ...['--model', modelDir, '--host', '127.0.0.1', '--port', String(port)],
    ...['--max-inflight', String(maxInflight), '--max-queue', String(maxQueue)],
    // Per-request info logs of thousands of requests would cost the server CPU we are trying to measure.
    ...['--log-level', 'warn'],
    ...extraArgs,
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keepTail = (chunk) => (tail = (tail + chunk).slice(-OUTPUT_TAIL_CHARS));
  child.stdout.on('data', keepTail);
  child.stderr.on('data', keepTail);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  // Never leave a server behind if the load tool itself dies.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const url = `http://127.0.0.1:${port}`;
  const server = {
    url,
    pid: child.pid,
    output: () => tail,
    async stop(graceMs = 60_000) {
      const started = performance.now();
      child.kill('SIGTERM');
      const grace = new AbortController();
      const result = await Promise.race([
        exited,
        delay(graceMs, undefined, { signal: grace.signal }).catch(() => undefined),
      ]);
      grace.abort();
      process.removeListener('exit', killOnExit);
      if (!result) child.kill('SIGKILL');
      const { code, signal } = result ?? (await exited);
      return { code, signal, killed: !result, stoppedInMs: Math.round(performance.now() - started) };
    },
  };
  try {
    await waitUntilReady(url, exited, readyTimeoutMs);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${err.message}\n--- last server output ---\n${tail.trim() || '(none)'}`);
  }
  return server;
}

async function waitUntilReady(url, exited, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let lastStatus = 'no answer';
  let exit;
  exited.then((result) => (exit = result));
  while (Date.now() < deadline) {
    if (exit) throw new Error(`The server exited (code ${exit.code}, signal ${exit.signal}) before /readyz said 200`);
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
      lastStatus = `HTTP ${response.status}`;
    } catch (err) {
      lastStatus = err.cause?.code ?? err.message;
    }
    await delay(READY_POLL_MS);
  }
  throw new Error(`The server was not ready within ${timeoutMs} ms (last /readyz: ${lastStatus})`);
}
