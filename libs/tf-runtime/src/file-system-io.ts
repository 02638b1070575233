import * as tf from '@tensorflow/tfjs-core';
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize } from 'node:path';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';
const PENDING = '.pending';

/** An IOHandler whose save and load are both present, so callers need no undefined checks. */
export type FileSystemIOHandler = tf.io.IOHandler & { save: tf.io.SaveHandler; load: tf.io.LoadHandler };

/**
 * A tfjs IOHandler that saves to and loads from `dir` on the local disk: `model.json` (topology,
 * weights manifest, format, generatedBy, convertedBy, trainingConfig, userDefinedMetadata) and
 * `weights.bin`. tfjs-node brings its own `file://` handler; without it (wasm, cpu) this is the one.
 *
 * A save writes both files as `*.pending`, then renames weights.bin before model.json. A save cut
 * short before the first rename leaves the old pair; one cut between the renames leaves the new
 * weights and a complete `model.json.pending`, which load then reads: never a torn pair.
 */
export function fileSystemIO(dir: string): FileSystemIOHandler {
  return {
    save: (artifacts) => saveArtifacts(dir, artifacts),
    load: () => loadArtifacts(dir),
  };
}

async function saveArtifacts(dir: string, artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new Error(`fileSystemIO(${dir}): binary (protobuf) modelTopology is not supported; use a JSON topology`);
  }
  const weights = new Uint8Array(
    artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData),
  );
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'],
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    trainingConfig: artifacts.trainingConfig,
    userDefinedMetadata: artifacts.userDefinedMetadata,
  };
  await mkdir(dir, { recursive: true });
  await finishInterruptedSave(dir);
  const weightsPath = join(dir, WEIGHTS_BIN);
  const modelPath = join(dir, MODEL_JSON);
  // Written first, so a pending model.json always has its weights complete beside it.
  await writeDurably(weightsPath + PENDING, weights);
  await writeDurably(modelPath + PENDING, new TextEncoder().encode(JSON.stringify(modelJson)));
  await rename(weightsPath + PENDING, weightsPath);
  await rename(modelPath + PENDING, modelPath);
  await syncDirectory(dir);
  return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON({ ...artifacts, weightData: weights.buffer }) };
}

/**
 * Completes a save that stopped between its two renames; otherwise writing the next
 * weights.bin.pending would make load pair the old model.json with the newer weights.bin.
 */
async function finishInterruptedSave(dir: string): Promise<void> {
  const modelPath = join(dir, MODEL_JSON);
  if ((await committedModelJson(dir)) === modelPath + PENDING) await rename(modelPath + PENDING, modelPath);
}

async function writeDurably(path: string, bytes: Uint8Array): Promise<void> {
  const file = await open(path, 'w');
  try {
    await file.writeFile(bytes);
    await file.sync();
  } finally {
    await file.close();
  }
}

/** Makes the renames themselves survive a power cut. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function loadArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const modelJsonPath = await committedModelJson(dir);
  if (!(await exists(modelJsonPath))) throw new Error(`fileSystemIO: no ${MODEL_JSON} in ${dir}`);
  const modelJson = JSON.parse(await readFile(modelJsonPath, 'utf8')) as tf.io.ModelJSON;
  if (!Array.isArray(modelJson.weightsManifest)) {
    throw new Error(`${modelJsonPath} has no weightsManifest array; is it a tfjs model.json?`);
  }
  return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const specs = manifest.flatMap((group) => group.weights);
    const parts = await Promise.all(manifest.flatMap((group) => group.paths).map((path) => readWeightsFile(dir, path)));
    return [specs, tf.io.concatenateArrayBuffers(parts)];
  });
}

/** model.json, or a complete model.json.pending whose weights.bin rename already happened. */
async function committedModelJson(dir: string): Promise<string> {
  const modelPath = join(dir, MODEL_JSON);
  const interruptedBetweenRenames =
    (await exists(modelPath + PENDING)) && !(await exists(join(dir, WEIGHTS_BIN) + PENDING));
  return interruptedBetweenRenames ? modelPath + PENDING : modelPath;
}

async function readWeightsFile(dir: string, manifestPath: string): Promise<ArrayBuffer> {
  const relative = normalize(manifestPath);
  if (isAbsolute(relative) || relative.startsWith('..')) {
    throw new Error(`weights path '${manifestPath}' in ${dir}/${MODEL_JSON} must stay inside ${dir}`);
  }
  const bytes = await readFile(join(dir, relative));
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Registers fileSystemIO for `file://` URLs (a directory, or its model.json when loading), unless
 * a `file://` save handler already exists (tfjs-node's; two would make tfjs refuse to choose).
 * Returns whether it registered.
 */
export function registerFileSystemRouter(): boolean {
  if (tf.io.getSaveHandlers('file://x').length > 0) return false;
  const route = (url: string | string[]): tf.io.IOHandler | null => {
    if (typeof url !== 'string' || !url.startsWith('file://')) return null;
    const path = url.slice('file://'.length);
    return fileSystemIO(path.endsWith(MODEL_JSON) ? dirname(path) : path);
  };
  // tfjs routers decline a URL by returning null, though the IORouter type does not say so.
  const router = route as unknown as Parameters<typeof tf.io.registerSaveRouter>[0];
  tf.io.registerSaveRouter(router);
  tf.io.registerLoadRouter(router);
  return true;
}
