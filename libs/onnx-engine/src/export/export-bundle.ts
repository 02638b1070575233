import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { loadModelWeights, readBundleManifest, verifyBundleFiles, type BundleManifest } from '@imgcap/captioner/bundle';
import { CaptionModel } from '@imgcap/captioner/model';
import { parseBackboneId } from '@imgcap/vision-backbone';
import { OPSET } from '../onnx/graph-builder.js';
import { buildBackboneGraph } from './backbone-graph.js';
import { buildDecoderStepGraph, buildEncoderGraph, type BundleWeights, type GraphSpec } from './model-graphs.js';
import { graphInputsOf } from './graph-inputs.js';

export const ONNX_EXPORT_FORMAT = 'imgcap-onnx-export';
/** 2: the decoder step returns this position's keys/values, not the whole cache; 3: EfficientNet backbones exported too. Older exports are redone. */
export const ONNX_EXPORT_VERSION = 3;
export const ONNX_MANIFEST = 'onnx-manifest.json';
const DEFAULT_SUBDIR = 'onnx';

/** `onnx-manifest.json`: what was exported from which bundle, and the shapes each graph takes. */
export interface OnnxManifest {
  format: typeof ONNX_EXPORT_FORMAT;
  version: typeof ONNX_EXPORT_VERSION;
  opset: number;
  /** `createdAt` of the bundle exported: a re-saved bundle makes this export stale. */
  bundleCreatedAt: string;
  /** The bundle's recorded file checksums when exported: weights changed since make this export stale too. */
  bundleFiles: Record<string, string> | null;
  config: BundleManifest['config'];
  /** Trained parameters exported (the caption model's; the backbone's are not counted). */
  parameters: number;
  /** The bundle's tokenizer, relative to this directory. */
  tokenizer: string;
  backbone: {
    id: string;
    imageSize: number;
    /** The backbone's graph file (patch or EfficientNet), relative to this directory. */
    onnx: string;
  };
  encoder: { file: string; inputs: Record<string, (number | string)[]>; outputs: Record<string, (number | string)[]> };
  decoderStep: {
    file: string;
    inputs: Record<string, (number | string)[]>;
    outputs: Record<string, (number | string)[]>;
  };
}

export function defaultOnnxDir(bundleDir: string): string {
  return join(bundleDir, DEFAULT_SUBDIR);
}

/** Reads every weight and the block settings out of the bundle's tfjs model, then frees it. */
async function readBundleModel(
  bundleDir: string,
  manifest: BundleManifest,
): Promise<{ weights: BundleWeights; spec: GraphSpec }> {
  const model = new CaptionModel(manifest.config);
  try {
    await loadModelWeights(model, join(bundleDir, 'model'));
    return graphInputsOf(model, bundleDir);
  } finally {
    model.dispose();
  }
}

function graphShapes(spec: GraphSpec): Pick<OnnxManifest, 'encoder' | 'decoderStep'> {
  const { gridTokens: T, featureChannels: C, embedDim: D, vocabSize: V, maxLength: L, decoder } = spec;
  const cross = ['rows', decoder.numHeads, T, decoder.headDim];
  const cache = ['rows', decoder.numHeads, L, decoder.headDim];
  const fresh = ['rows', decoder.numHeads, 1, decoder.headDim];
  return {
    encoder: {
      file: 'encoder.onnx',
      inputs: { features: ['batch', T, C] },
      outputs: {
        encoded: ['batch', T, D],
        cross_keys: ['batch', ...cross.slice(1)],
        cross_values: ['batch', ...cross.slice(1)],
      },
    },
    decoderStep: {
      file: 'decoder_step.onnx',
      inputs: {
        tokens: ['rows', 1],
        position: [],
        past_keys: cache,
        past_values: cache,
        cross_keys: cross,
        cross_values: cross,
      },
      outputs: { log_probs: ['rows', V], new_keys: fresh, new_values: fresh, cross_attention: ['rows', T] },
    },
  };
}

/** A Buffer view of a serialized graph (no copy): write-file-atomic takes strings and Buffers. */
function bytesOf(graph: Uint8Array): Buffer {
  return Buffer.from(graph.buffer, graph.byteOffset, graph.byteLength);
}

/**
 * Exports a caption bundle to ONNX (opset 17): `backbone.onnx`, `encoder.onnx`, `decoder_step.onnx`, and
 * `onnx-manifest.json` (written last: a directory with it is complete).
 * `outDir` defaults to `<bundleDir>/onnx`.
 */
export async function exportBundleToOnnx(bundleDir: string, outDir = defaultOnnxDir(bundleDir)): Promise<OnnxManifest> {
  const manifest = await readBundleManifest(bundleDir);
  const { weights, spec } = await readBundleModel(bundleDir, manifest);
  await mkdir(outDir, { recursive: true });
  const shapes = graphShapes(spec);
  await writeFileAtomic(join(outDir, shapes.encoder.file), bytesOf(buildEncoderGraph(weights, spec)));
  await writeFileAtomic(join(outDir, shapes.decoderStep.file), bytesOf(buildDecoderStepGraph(weights, spec)));
  const backboneFile = 'backbone.onnx';
  const backboneSpec = parseBackboneId(
    manifest.backbone.id,
    manifest.backbone.weights ? join(bundleDir, manifest.backbone.weights) : undefined,
  );
  await writeFileAtomic(join(outDir, backboneFile), bytesOf((await buildBackboneGraph(backboneSpec)).graph));
  const onnxManifest: OnnxManifest = {
    format: ONNX_EXPORT_FORMAT,
    version: ONNX_EXPORT_VERSION,
    opset: OPSET,
    bundleCreatedAt: manifest.createdAt,
    bundleFiles: manifest.files ?? null,
    config: manifest.config,
    parameters: [...weights.values()].reduce((sum, w) => sum + w.values.length, 0),
    tokenizer: relative(resolve(outDir), resolve(bundleDir, 'tokenizer.json')),
    backbone: { id: manifest.backbone.id, imageSize: manifest.backbone.imageSize, onnx: backboneFile },
    ...shapes,
  };
  await writeFileAtomic(join(outDir, ONNX_MANIFEST), `${JSON.stringify(onnxManifest, null, 2)}\n`);
  return onnxManifest;
}

/** The export in `onnxDir`, or null when there is none or it was made from an older save of the bundle. */
export async function readCurrentOnnxManifest(onnxDir: string, bundle: BundleManifest): Promise<OnnxManifest | null> {
  let parsed: Partial<OnnxManifest>;
  try {
    parsed = JSON.parse(await readFile(join(onnxDir, ONNX_MANIFEST), 'utf8')) as Partial<OnnxManifest>;
  } catch {
    return null;
  }
  if (parsed.format !== ONNX_EXPORT_FORMAT || parsed.version !== ONNX_EXPORT_VERSION) return null;
  const sameFiles = JSON.stringify(parsed.bundleFiles ?? null) === JSON.stringify(bundle.files ?? null);
  return parsed.bundleCreatedAt === bundle.createdAt && sameFiles ? (parsed as OnnxManifest) : null;
}

/**
 * Every way "cannot write into the bundle" shows up: permissions, a read-only volume (which some container
 * runtimes report as ENOENT for the new directory, not EROFS), a file where the directory should be, a full disk.
 */
const UNWRITABLE = new Set(['EACCES', 'EROFS', 'EPERM', 'ENOENT', 'ENOTDIR', 'EEXIST', 'ENOSPC', 'EDQUOT']);

/**
 * The bundle's current ONNX export (with the bundle's manifest, checked against its files), made if missing or stale: in `onnxDir` when given; else in
 * `<bundle>/onnx`, or — where the bundle directory cannot be written (a read-only volume, a container's
 * non-root user) — in a scratch directory under the OS temp dir, one per bundle path.
 */
export async function ensureOnnxExport(
  bundleDir: string,
  onnxDir?: string,
): Promise<{ manifest: OnnxManifest; dir: string; bundle: BundleManifest }> {
  const bundle = await readBundleManifest(bundleDir);
  // A current export does not read the bundle's weights, so check them here: a damaged or replaced weights.bin
  // must not hide behind an export made from the old one.
  await verifyBundleFiles(bundleDir, bundle);
  const currentIn = async (dir: string) => ({
    manifest: (await readCurrentOnnxManifest(dir, bundle)) ?? (await exportBundleToOnnx(bundleDir, dir)),
    dir,
    bundle,
  });
  if (onnxDir !== undefined) return currentIn(onnxDir);
  try {
    return await currentIn(defaultOnnxDir(bundleDir));
  } catch (error) {
    if (!UNWRITABLE.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    return currentIn(
      join(tmpdir(), `imgcap-onnx-${createHash('sha256').update(resolve(bundleDir)).digest('hex').slice(0, 16)}`),
    );
  }
}
