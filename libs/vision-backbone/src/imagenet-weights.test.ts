import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  EFFICIENTNET_WEIGHTS_MD5,
  fetchPinnedFile,
  fileMd5,
  imagenetWeightsFile,
  publishedKerasWeightsFile,
  type PinnedFile,
} from './imagenet-weights.js';

/** What the local server answers for a path: a body (with its true length, or a promised longer one), or a status. */
type Answer = { body: Buffer; claimLength?: number } | { status: number };
const answers = new Map<string, Answer>();
const requests: string[] = [];
let server: Server;
let base: string;
let root: string;
let dirs: { kerasHome: string; cacheDir: string };

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const answer = answers.get(req.url ?? '');
    if (!answer || 'status' in answer) {
      res.writeHead(answer?.status ?? 404).end();
      return;
    }
    res.writeHead(200, { 'content-length': String(answer.claimLength ?? answer.body.length) });
    if (answer.claimLength === undefined) res.end(answer.body);
    else res.write(answer.body, () => res.socket?.destroy()); // the connection drops mid-transfer
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror/`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'imgcap-weights-'));
  dirs = { kerasHome: join(root, 'keras'), cacheDir: join(root, 'cache') };
  answers.clear();
  requests.length = 0;
});
afterEach(() => rm(root, { recursive: true, force: true }));

const weights = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256));
const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');
const pinned = (): PinnedFile => ({ file: 'model_notop.h5', md5: md5(weights), url: `${base}model_notop.h5` });
const cacheFiles = async () => readdir(join(dirs.cacheDir, 'weights')).catch(() => []);

describe('fetchPinnedFile: one download, cached, MD5-checked, written atomically', () => {
  it('downloads with progress into the cache, then answers from the cache without a request', async () => {
    answers.set('/mirror/model_notop.h5', { body: weights });
    const progress: number[] = [];
    const first = await fetchPinnedFile(pinned(), { ...dirs, onProgress: (received) => progress.push(received) });
    expect(first).toMatchObject({ origin: 'download', path: join(dirs.cacheDir, 'weights', 'model_notop.h5') });
    expect(await readFile(first.path)).toEqual(weights);
    expect(progress.at(-1)).toBe(weights.length);
    expect(await cacheFiles()).toEqual(['model_notop.h5']); // no temporary file left
    const second = await fetchPinnedFile(pinned(), dirs);
    expect(second.origin).toBe('imgcap-cache');
    expect(requests).toHaveLength(1);
  });

  it("takes the file from Keras's own cache ($KERAS_HOME/models) first", async () => {
    await mkdir(join(dirs.kerasHome, 'models'), { recursive: true });
    await writeFile(join(dirs.kerasHome, 'models', 'model_notop.h5'), weights);
    const found = await fetchPinnedFile(pinned(), dirs);
    expect(found).toMatchObject({ origin: 'keras-cache', path: join(dirs.kerasHome, 'models', 'model_notop.h5') });
    expect(requests).toHaveLength(0);
  });

  it('refuses a download whose MD5 differs and keeps nothing; a damaged cached copy is replaced', async () => {
    answers.set('/mirror/model_notop.h5', { body: Buffer.from('not the weights') });
    await expect(fetchPinnedFile(pinned(), dirs)).rejects.toThrow(
      new RegExp(
        `has MD5 ${md5(Buffer.from('not the weights'))}, not the expected ${pinned().md5}: refused, nothing kept`,
      ),
    );
    expect(await cacheFiles()).toEqual([]);
    await mkdir(join(dirs.cacheDir, 'weights'), { recursive: true });
    await writeFile(join(dirs.cacheDir, 'weights', 'model_notop.h5'), weights.subarray(0, 1000));
    answers.set('/mirror/model_notop.h5', { body: weights });
    const lines: string[] = [];
    const found = await fetchPinnedFile(pinned(), { ...dirs, log: (l) => lines.push(l) });
    expect(found.origin).toBe('download');
    expect(lines[0]).toMatch(/model_notop\.h5 has MD5 .*not the pinned .*; not used/);
    expect(await readFile(found.path)).toEqual(weights);
  });

  it('refuses a transfer that breaks off before its announced length, keeping nothing', async () => {
    answers.set('/mirror/model_notop.h5', { body: weights.subarray(0, 100_000), claimLength: weights.length });
    await expect(fetchPinnedFile(pinned(), dirs)).rejects.toThrow(
      /transfer of http:\/\/127\.0\.0\.1:\d+\/mirror\/model_notop\.h5 (broke off|stopped) after \d+ of 300000 bytes/,
    );
    expect(await cacheFiles()).toEqual([]);
  });

  it('names the URL, both cache paths and the alternative when the server cannot be reached or has no file', async () => {
    answers.set('/mirror/model_notop.h5', { status: 404 });
    await expect(fetchPinnedFile(pinned(), { ...dirs, hint: 'pass --backbone_weights FILE' })).rejects.toThrow(
      /model_notop\.h5 answered HTTP 404\. Looked in .*keras\/models\/model_notop\.h5 and .*cache\/weights\/model_notop\.h5; put model_notop\.h5 in either place, or pass --backbone_weights FILE/,
    );
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((done) => closed.close(() => done()));
    const refused = { ...pinned(), url: `http://127.0.0.1:${port}/model_notop.h5` };
    await expect(fetchPinnedFile(refused, dirs)).rejects.toThrow(
      new RegExp(`could not download http://127\\.0\\.0\\.1:${port}/model_notop\\.h5 \\(ECONNREFUSED\\)`),
    );
  });
});

describe('imagenetWeightsFile: the file and MD5 Keras pins for EfficientNet', () => {
  it('asks $IMGCAP_WEIGHTS_BASE_URL for efficientnetbN_notop.h5 and holds it to the MD5 in Keras’s efficientnet.py', async () => {
    answers.set('/mirror/efficientnetb1_notop.h5', { body: weights });
    const before = process.env.IMGCAP_WEIGHTS_BASE_URL;
    process.env.IMGCAP_WEIGHTS_BASE_URL = base.slice(0, -1); // with or without the trailing slash
    try {
      await expect(imagenetWeightsFile('b1', { ...dirs, hint: 'pass --backbone_weights FILE' })).rejects.toThrow(
        /^ImageNet weights for EfficientNet-B1: .*efficientnetb1_notop\.h5 has MD5 [0-9a-f]{32}, not the expected 74c4e6b3e1f6a1eea24c589628592432: refused/,
      );
    } finally {
      if (before === undefined) delete process.env.IMGCAP_WEIGHTS_BASE_URL;
      else process.env.IMGCAP_WEIGHTS_BASE_URL = before;
    }
    expect(requests).toEqual(['/mirror/efficientnetb1_notop.h5']);
    expect(await cacheFiles()).toEqual([]);
  });

  it('knows every published EfficientNet file by its MD5', () => {
    expect(publishedKerasWeightsFile(EFFICIENTNET_WEIGHTS_MD5.b1.notop)).toBe('efficientnetb1_notop.h5');
    expect(publishedKerasWeightsFile(EFFICIENTNET_WEIGHTS_MD5.b7.top)).toBe('efficientnetb7.h5');
    expect(publishedKerasWeightsFile(md5(weights))).toBeNull();
  });
});

describe('fileMd5', () => {
  it('gives the file’s MD5, and a rewritten file’s new MD5 even at the same size (remembered per file identity)', async () => {
    const file = join(root, 'w.h5');
    await writeFile(file, weights);
    expect(await fileMd5(file)).toBe(md5(weights));
    expect(await fileMd5(file)).toBe(md5(weights));
    const other = Buffer.from(weights).reverse();
    await writeFile(file, other);
    expect(await fileMd5(file)).toBe(md5(other));
  });
});
