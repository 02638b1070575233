import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readImageFixture, type ImageFixtureName } from '@imgcap/image-io/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './server.js';
import { writeTinyBundle } from './test-helpers/tiny-bundle.js';

let dir: string;
let bundle: string;
let server: RunningServer;

async function post(name: ImageFixtureName, query = ''): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([await readImageFixture(name)]), `${name}.img`);
  return fetch(`${server.url}/caption${query}`, { method: 'POST', body: form });
}

async function tensorsAlive(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^imgcap_tfjs_tensors_alive (\d+)/m.exec(text)![1]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imgcap-serve-real-'));
  bundle = await writeTinyBundle(dir);
  // The tfjs engine, named: `--engine auto` picks ONNX Runtime here, which holds no tfjs tensors to leak.
  server = await startServer({
    modelDir: dir,
    port: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    limits: {},
    engine: 'tfjs',
  });
});
afterAll(async () => {
  await server?.shutdown();
  await rm(dir, { recursive: true, force: true });
});

describe('serving a real caption bundle', () => {
  it('is ready once the model is loaded and warmed (a run directory with bundle/ is accepted)', async () => {
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it('captions real images of every colour model, greedy and beam, with attention', async () => {
    for (const name of ['jpeg', 'png', 'greyPng', 'rgbaPng', 'cmykJpeg', 'exifRotatedJpeg', 'animatedGif'] as const) {
      const response = await post(name, '?beam=2&attention=1');
      expect(response.status, name).toBe(200);
      const body = (await response.json()) as {
        image: string;
        caption: string;
        tokens: string[];
        attention: number[][];
        grid_size: number[];
      };
      expect(body.image).toBe(`${name}.img`);
      expect(body.caption).toBe(body.tokens.join(' '));
      expect(body.grid_size).toEqual([4, 4]);
      expect(body.attention).toHaveLength(body.tokens.length);
    }
  });

  it('keeps tfjs tensors alive constant across requests (no per-request leak)', async () => {
    await post('jpeg');
    const before = await tensorsAlive();
    expect(before).toBeGreaterThan(0); // the model's weights: the gauge measures the engine in use
    for (let i = 0; i < 5; i++) expect((await post('png', i % 2 ? '?beam=3' : '')).status).toBe(200);
    expect(await tensorsAlive()).toBe(before);
  });

  it('samples on request: temperature 0 is greedy, a seed repeats, no leak; contradictions are 400s naming them', async () => {
    const captionOf = async (query: string) => {
      const response = await post('png', query);
      expect(response.status, query).toBe(200);
      return ((await response.json()) as { caption: string }).caption;
    };
    const before = await tensorsAlive();
    expect(await captionOf('?sample=1&temperature=0')).toBe(await captionOf(''));
    const seeded = '?sample=1&temperature=3&seed=11';
    const [a, b] = await Promise.all([captionOf(seeded), captionOf(seeded)]);
    expect(b).toBe(a);
    const draws = new Set(
      await Promise.all([1, 2, 3, 4, 5, 6].map((seed) => captionOf(`?sample=1&temperature=3&seed=${seed}`))),
    );
    expect(draws.size).toBeGreaterThan(1);
    expect(await tensorsAlive()).toBe(before);
    for (const [query, message] of [
      ['?sample=1&beam=3', /sample=1 and beam=3 do not combine/],
      ['?temperature=0.5', /temperature only apply with sample=1/],
      ['?sample=1&temperature=-1', /temperature/],
    ] as const) {
      const response = await post('png', query);
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
  });

  it("answers 400 when max_length exceeds the model's limit", async () => {
    const response = await post('jpeg', '?max_length=30');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
      /exceeds this model's limit of 9/,
    );
  });
});

describe('the server process', () => {
  it('drains and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, '..', 'dist', 'main.js'), '--model', bundle, '--port', '0', '--host', '127.0.0.1'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (/model loaded; ready/.test(output))
          resolve(/"url":"([^"]+)"|listening at (http:\/\/[^"\s]+)/.exec(output)?.[2] ?? '');
      });
      child.on('exit', (code) => reject(new Error(`server exited early (${code}): ${output}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
