import { cp, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { tokenizerFromJSON, type CaptionTokenizer } from '@imgcap/tokenizer';
import { createFeatureExtractor, parseBackboneId, type FeatureExtractor } from '@imgcap/vision-backbone';
import { CaptionModel } from '../model/caption-model.js';
import { loadModelWeights, saveModelFiles } from './model-files.js';
import type { ImageCaptioner } from '../pipeline/image-captioner.js';
import { fileChecksums, filesBelow, verifyChecksums } from './checksums.js';
import { checkInsidePaths } from './inside-paths.js';
import { TfjsCaptioner } from './tfjs-captioner.js';
import { writeDataSplit, type DataSplitRecord } from './data-split.js';
import { BUNDLE_FORMAT, BUNDLE_MANIFEST_FILE, BUNDLE_VERSION, parseManifest, type BundleManifest } from './manifest.js';

const TOKENIZER = 'tokenizer.json';
const MODEL = 'model';
const BACKBONE = 'backbone';

export interface BundleContents {
  model: CaptionModel;
  tokenizer: CaptionTokenizer;
  /**
   * The backbone's weights, copied into the bundle: a converter directory, or a Keras weights file (`.h5`,
   * `.keras`; kept under its own name so its format stays recognisable). Omit for patch/random backbones.
   */
  backboneWeightsDir?: string;
  metadata?: Record<string, unknown>;
  /** The images it trained on and held out, written as `data-split.json` (eval's default split). */
  dataSplit?: DataSplitRecord;
}

/** Writes a bundle's files into an existing empty directory (checkpoints reuse this). */
export async function writeBundleFiles(dir: string, contents: BundleContents): Promise<void> {
  const { model, tokenizer, backboneWeightsDir, metadata = {}, dataSplit } = contents;
  await saveModelFiles(model, join(dir, MODEL));
  await writeFile(join(dir, TOKENIZER), JSON.stringify(tokenizer.toJSON()));
  if (dataSplit) await writeDataSplit(dir, dataSplit);
  const weights = backboneWeightsDir ? await copyBackboneWeights(backboneWeightsDir, dir) : null;
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    config: model.config,
    backbone: { id: model.config.backbone, imageSize: model.config.imageSize, weights },
    createdAt: new Date().toISOString(),
    files: await fileChecksums(
      dir,
      (await filesBelow(dir)).filter((f) => f !== BUNDLE_MANIFEST_FILE),
    ),
    metadata,
  };
  // Written last: a directory with bundle.json is complete.
  await writeFile(join(dir, BUNDLE_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Copies the backbone's weights into the bundle; returns their path relative to it. */
async function copyBackboneWeights(source: string, bundleDir: string): Promise<string> {
  if ((await stat(source)).isDirectory()) {
    await cp(source, join(bundleDir, BACKBONE), { recursive: true });
    return BACKBONE;
  }
  const relativePath = join(BACKBONE, basename(source));
  await mkdir(join(bundleDir, BACKBONE), { recursive: true });
  await cp(source, join(bundleDir, relativePath));
  return relativePath;
}

/** Saves a caption bundle atomically: written beside `dir`, then renamed over it. */
export async function saveCaptionBundle(dir: string, contents: BundleContents): Promise<void> {
  const target = resolve(dir);
  const temp = `${target}.tmp-${process.pid}`;
  const old = `${target}.old-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true });
  await writeBundleFiles(temp, contents);
  await rename(target, old).catch(() => undefined);
  await rename(temp, target);
  await rm(old, { recursive: true, force: true });
}

/** Checks the bundle's files against the checksums its manifest recorded (older bundles recorded none). */
export async function verifyBundleFiles(dir: string, manifest: BundleManifest): Promise<void> {
  if (manifest.files) await verifyChecksums(dir, manifest.files, `caption bundle ${dir}`);
}

export async function readBundleManifest(dir: string): Promise<BundleManifest> {
  const file = join(dir, BUNDLE_MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Error(`${dir} is not a caption bundle: ${BUNDLE_MANIFEST_FILE} not found.`);
  }
  const manifest = parseManifest(parseJson(text, file), file);
  // The backbone path is read by every loader: checked to be the bundle's own here (inside-paths.ts). The listed
  // files are checked where they are read, by verifyChecksums.
  if (manifest.backbone.weights != null)
    await checkInsidePaths(dir, [manifest.backbone.weights], file, { directories: true });
  return manifest;
}

/** JSON.parse whose error names the file. */
function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

async function readJson(file: string): Promise<unknown> {
  return parseJson(await readFile(file, 'utf8'), file);
}

/** A bundle loaded into tfjs, piece by piece: for code that trains, evaluates or benchmarks the model itself. */
export interface BundleParts {
  readonly manifest: BundleManifest;
  readonly model: CaptionModel;
  readonly tokenizer: CaptionTokenizer;
  readonly backbone: FeatureExtractor;
}

/** Verifies a bundle's files and loads its model, tokenizer and backbone into tfjs. The caller disposes model and backbone. */
export async function loadBundleParts(dir: string): Promise<BundleParts> {
  const manifest = await readBundleManifest(dir);
  await verifyBundleFiles(dir, manifest);
  const tokenizer = tokenizerFromJSON(await readJson(join(dir, TOKENIZER)));
  const model = new CaptionModel(manifest.config);
  try {
    await loadModelWeights(model, join(dir, MODEL));
    const weightsDir = manifest.backbone.weights ? join(dir, manifest.backbone.weights) : undefined;
    const backbone = await createFeatureExtractor(parseBackboneId(manifest.backbone.id, weightsDir));
    return { manifest, model, tokenizer, backbone };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/**
 * Loads a bundle onto tfjs in one call, as an `ImageCaptioner` (tfjs-models' shape: one `load()`, one interface).
 * `@imgcap/onnx-engine/load`'s `loadCaptioner` picks between this and ONNX Runtime.
 */
export async function loadCaptionBundle(dir: string): Promise<ImageCaptioner> {
  const { model, tokenizer, backbone, manifest } = await loadBundleParts(dir);
  return new TfjsCaptioner(model, tokenizer, backbone, manifest);
}
