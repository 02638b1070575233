import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import {
  packImages,
  type BundleManifest,
  type CaptionResult,
  type ImageCaptioner,
  type RgbImage,
} from '@imgcap/captioner/bundle';
import {
  captionResult,
  resolveSearchOptions,
  searchTokensOf,
  type Hypothesis,
  type SearchOptions,
} from '@imgcap/captioner/generation';
import { architectureOf, type Architecture } from '@imgcap/captioner/model';
import { tokenizerFromJSON, type CaptionTokenizer } from '@imgcap/tokenizer';
import { ensureOnnxExport } from '../export/export-bundle.js';
import { openBackboneSession, type BackboneSession } from './backbone-session.js';
import { captionOnnxFeatures } from './caption-core.js';
import type { DecoderStepShape } from './onnx-decoder-session.js';
import { stepRunner, type StepRunner } from './step-runner.js';
import { SyncOrtSession } from './sync-session.js';

export interface LoadOnnxCaptionerOptions {
  /**
   * Where the ONNX export lives; exported there on first load (or when the bundle was re-saved). Default
   * `<bundle>/onnx`, or a temp directory when the bundle directory is read-only (ensureOnnxExport).
   */
  onnxDir?: string;
  /** ONNX Runtime intra-op threads; default: ONNX Runtime's choice (one per core). */
  threads?: number;
}

/** The ONNX Runtime engine of `ImageCaptioner`, plus captioning straight from backbone features. */
export interface OnnxCaptioner extends ImageCaptioner {
  readonly engine: 'onnx';
  /** Captions `count` images from backbone features, row-major [count, T, C]. */
  captionFeatures(features: Float32Array, count: number, options?: Partial<SearchOptions>): Promise<CaptionResult[]>;
}

class OnnxCaptionerImpl implements OnnxCaptioner {
  readonly engine = 'onnx' as const;
  private readonly runStep: StepRunner;

  constructor(
    readonly manifest: BundleManifest,
    readonly parameterCount: number,
    private readonly tokenizer: CaptionTokenizer,
    private readonly encoder: ort.InferenceSession,
    private readonly stepGraph: SyncOrtSession,
    private readonly backbone: BackboneSession,
    private readonly stepShape: DecoderStepShape,
  ) {
    this.runStep = stepRunner(ort, stepGraph);
  }

  get imageSize(): number {
    return this.manifest.backbone.imageSize;
  }

  get architecture(): Architecture {
    return architectureOf(this.manifest.config);
  }

  async captionImages(images: RgbImage[], options: Partial<SearchOptions> = {}): Promise<CaptionResult[]> {
    const pixels = packImages(images, this.imageSize);
    return this.captionFeatures(await this.backbone.features(pixels, images.length), images.length, options);
  }

  async captionFeatures(
    features: Float32Array,
    count: number,
    overrides: Partial<SearchOptions> = {},
  ): Promise<CaptionResult[]> {
    const { config } = this.manifest;
    const options = resolveSearchOptions(overrides, config.seqLength - 1);
    if (!options.useCache)
      throw new Error('useCache must be true with the ONNX engine: its decoder step always uses the key/value cache.');
    const graphs = {
      encoder: this.encoder,
      runStep: this.runStep,
      shape: this.stepShape,
      featureShape: config.featureShape,
    };
    const hypotheses = await captionOnnxFeatures(ort, graphs, features, count, searchTokensOf(this.tokenizer), options);
    return hypotheses.map((h) => this.toResult(h));
  }

  /** The same fields as the tfjs engine's results (one `captionResult`), so callers cannot tell the engines apart. */
  private toResult(h: Hypothesis): CaptionResult {
    return captionResult(h, this.tokenizer, this.manifest.config.featureShape[0]);
  }

  dispose(): void {
    void this.encoder.release();
    this.stepGraph.dispose();
    void this.backbone.dispose();
  }
}

/** Loads a caption bundle onto ONNX Runtime, exporting it first when `onnxDir` has no current export. */
export async function loadOnnxCaptioner(
  bundleDir: string,
  options: LoadOnnxCaptionerOptions = {},
): Promise<OnnxCaptioner> {
  const { manifest: exported, dir: onnxDir, bundle: manifest } = await ensureOnnxExport(bundleDir, options.onnxDir);
  const tokenizer = tokenizerFromJSON(JSON.parse(await readFile(join(onnxDir, exported.tokenizer), 'utf8')));
  const sessionOptions: ort.InferenceSession.SessionOptions = options.threads
    ? { intraOpNumThreads: options.threads }
    : {};
  // Each session has its own intra-op thread pool, whose threads spin for a while after a run. The
  // backbone and encoder run once per caption, right before the decoder steps: left spinning, their
  // threads took the cores from the step session's and made every step ~50% slower. Only the step
  // session, called dozens of times in a row, keeps spinning.
  const oneShotOptions = { ...sessionOptions, extra: { session: { intra_op: { allow_spinning: '0' } } } };
  const encoder = await ort.InferenceSession.create(join(onnxDir, exported.encoder.file), oneShotOptions);
  const stepGraph = new SyncOrtSession(join(onnxDir, exported.decoderStep.file), sessionOptions);
  const backbone = await openBackboneSession(
    join(onnxDir, exported.backbone.onnx),
    exported.backbone.imageSize,
    oneShotOptions,
  );
  const [, , maxLength, headDim] = exported.decoderStep.inputs['past_keys'] as number[];
  const shape: DecoderStepShape = {
    numHeads: manifest.config.decHeads,
    headDim: headDim!,
    maxLength: maxLength!,
    gridTokens: manifest.config.featureShape[0],
  };
  return new OnnxCaptionerImpl(manifest, exported.parameters, tokenizer, encoder, stepGraph, backbone, shape);
}
