import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { attentionGridSize, searchTokensOf } from '@imgcap/captioner/generation';
import { type SearchTokens } from '@imgcap/captioner/generation';
import { tokenizerFromJSON } from '@imgcap/tokenizer';
// The exporter alone: the package's main entry would load ONNX Runtime's native binding as well.
import { ensureOnnxExport } from '@imgcap/onnx-engine/export';

/** What the web page needs to caption in the browser with the bundle's ONNX export (GET /browser/model.json). */
export interface BrowserModelInfo {
  available: true;
  /** The backbone's input side: the page resizes images to imageSize × imageSize (stretching, as the server does). */
  imageSize: number;
  /** Longest caption in ids (the bundle's seqLength − 1). */
  maxLength: number;
  tokens: SearchTokens;
  /** vocabulary[id] is the word for id. */
  vocabulary: string[];
  step: { numHeads: number; headDim: number; maxLength: number; gridTokens: number };
  gridSize: [number, number];
  /** Graph file names under /browser/model/. */
  files: { backbone: string; encoder: string; decoderStep: string };
}

export type BrowserModel =
  { info: BrowserModelInfo; dir: string } | { info: { available: false; reason: string }; dir: null };

/** Loads (once) what the page needs; never rejects: a model the browser cannot run says why. */
export type BrowserModelSource = () => Promise<BrowserModel>;

/** The bundle's ONNX export for browsers, made on first use where the ONNX engine makes it (ensureOnnxExport). */
export function browserModelFromBundle(bundleDir: string): BrowserModelSource {
  let loading: Promise<BrowserModel> | undefined;
  return () =>
    (loading ??= describe(bundleDir).catch((error: unknown) =>
      unavailable(`the model could not be exported to ONNX: ${String(error)}`),
    ));
}

function unavailable(reason: string): BrowserModel {
  return { info: { available: false, reason }, dir: null };
}

async function describe(bundleDir: string): Promise<BrowserModel> {
  const { manifest: exported, dir, bundle: manifest } = await ensureOnnxExport(bundleDir);
  const saved = JSON.parse(await readFile(join(dir, exported.tokenizer), 'utf8')) as { vocabulary: string[] };
  const tokenizer = tokenizerFromJSON(saved);
  const [, numHeads, maxLength, headDim] = exported.decoderStep.inputs['past_keys'] as [string, number, number, number];
  const gridTokens = manifest.config.featureShape[0];
  const info: BrowserModelInfo = {
    available: true,
    imageSize: exported.backbone.imageSize,
    maxLength: manifest.config.seqLength - 1,
    tokens: searchTokensOf(tokenizer),
    vocabulary: saved.vocabulary,
    step: { numHeads, headDim, maxLength, gridTokens },
    gridSize: attentionGridSize(gridTokens),
    files: { backbone: exported.backbone.onnx, encoder: exported.encoder.file, decoderStep: exported.decoderStep.file },
  };
  return { info, dir };
}
