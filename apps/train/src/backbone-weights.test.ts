import { createServer } from 'node:net';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { selectBackend } from '@imgcap/tf-runtime';
import { buildEfficientNet, saveKerasWeightsFile } from '@imgcap/vision-backbone';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from './run-training.js';
import { train, useTrainingFixture } from './test-helpers/training-run.js';

const { fixture, configFor } = useTrainingFixture();
const saved: Record<string, string | undefined> = {};
const ENV = ['IMGCAP_WEIGHTS_BASE_URL', 'IMGCAP_CACHE_DIR', 'KERAS_HOME'] as const;

/** A local port nothing listens on: the download is refused at once, as offline. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

beforeEach(() => {
  for (const name of ENV) saved[name] = process.env[name];
});
afterEach(() => {
  for (const name of ENV) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe("--backbone_weights: imagenet by default for EfficientNet, as the Keras project's weights='imagenet'", () => {
  it('without the file and offline, stops before training, naming the URL, both caches and the flags', async () => {
    const port = await closedPort();
    process.env.IMGCAP_WEIGHTS_BASE_URL = `http://127.0.0.1:${port}/keras-applications`;
    process.env.IMGCAP_CACHE_DIR = join(fixture.root, 'imgcap-cache');
    process.env.KERAS_HOME = join(fixture.root, 'keras-home');
    const config = configFor('offline', { arch: 'seed', backbone: 'efficientnet-b0', image_size: 32 });
    const { code } = await train(config);
    expect(code).toMatch(
      new RegExp(
        `ImageNet weights for EfficientNet-B0: could not download http://127\\.0\\.0\\.1:${port}/keras-applications/efficientnetb0_notop\\.h5 \\(ECONNREFUSED\\)\\. ` +
          `Looked in .*keras-home/models/efficientnetb0_notop\\.h5 and .*imgcap-cache/weights/efficientnetb0_notop\\.h5; ` +
          `put efficientnetb0_notop\\.h5 in either place, or pass --backbone_weights FILE .*--backbone_weights none`,
      ),
    );
    expect(await readdir(config.artifact_dir)).toEqual([]); // the same command can simply be run again
  }, 60_000);

  it('none trains on the seeded random backbone, says so, and records it in the run and the bundle', async () => {
    process.env.IMGCAP_WEIGHTS_BASE_URL = `http://127.0.0.1:${await closedPort()}/`; // never asked
    const config = configFor('random', {
      arch: 'seed',
      backbone: 'efficientnet-b0',
      image_size: 32,
      backbone_weights: 'none',
      epochs: 1,
      max_images: 12,
    });
    const { code, logs } = await train(config);
    expect(code).toBe(EXIT.ok);
    expect(logs.join('\n')).toMatch(/--backbone_weights none: EfficientNet keeps its seeded random initialisation/);
    const stored = JSON.parse(await readFile(join(config.artifact_dir, 'config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(stored['backbone_weights']).toBe('none');
    const manifest = JSON.parse(await readFile(join(config.artifact_dir, 'bundle', 'bundle.json'), 'utf8')) as {
      backbone: { id: string; weights: string | null };
    };
    expect(manifest.backbone).toMatchObject({ id: 'efficientnet-b0@32-random', weights: null });
  }, 120_000);

  it('keys the feature cache by the weights file too: other weights for the same backbone are extracted anew', async () => {
    await selectBackend({ backend: 'wasm', log: () => {} });
    const files = [7, 8].map((seed) => join(fixture.root, `b0-${seed}.h5`));
    for (const [i, file] of files.entries()) {
      const cnn = buildEfficientNet('b0', { inputShape: [32, 32, 3], seed: 7 + i });
      await saveKerasWeightsFile(cnn, file, { layout: 'keras2' });
      cnn.dispose();
    }
    const features = async (name: string, weights: string) => {
      const run = await train(
        configFor(name, {
          backbone: 'efficientnet-b0',
          image_size: 32,
          backbone_weights: weights,
          epochs: 1,
          max_images: 12,
        }),
      );
      expect(run.code).toBe(EXIT.ok);
      return run.logs.find((line) => line.startsWith('features:'))!;
    };
    expect(await features('w7', files[0]!)).toMatch(/ 12 extracted, 0 from cache/);
    expect(await features('w8', files[1]!)).toMatch(/ 12 extracted, 0 from cache/);
    expect(await features('w7-again', files[0]!)).toMatch(/ 0 extracted, 12 from cache/);
  }, 180_000);
});
