// Captions in the browser with ONNX Runtime Web: the bundle's own ONNX export (backbone, encoder, decoder
// step with key/value cache), captioned by the very core the server's ONNX engine runs (captionOnnxFeatures, served
// as built from @imgcap/onnx-engine/browser, with @imgcap/captioner/generation through the page's import map), with
// ONNX Runtime Web as its ONNX Runtime. Served at /browser/browser-captioner.mjs.
import * as ort from './ort/ort.wasm.min.mjs';
import { captionResult, resolveSearchOptions } from './lib/captioner/generation/index.js';
import { captionOnnxFeatures, stepRunner } from './lib/onnx-engine/browser.js';
import { HEIC_NOT_SUPPORTED, resizeForModel, sniffImageFormat } from './lib/image-io/index.js';

const base = new URL('./', import.meta.url);

/** Downloads the model's graphs into ONNX Runtime Web; `info` is /browser/model.json. Resolves to a captioner of RGB pixels. */
export async function loadBrowserCaptioner(info) {
  if (!info.available) throw new Error(`This model cannot caption in the browser: ${info.reason}`);
  ort.env.wasm.wasmPaths = new URL('ort/', base).href;
  // Threads need a cross-origin-isolated page (SharedArrayBuffer); one thread works everywhere.
  ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
  const create = (file) =>
    ort.InferenceSession.create(new URL(`model/${file}`, base).href, { executionProviders: ['wasm'] });
  const [backbone, encoder, step] = await Promise.all([
    create(info.files.backbone),
    create(info.files.encoder),
    create(info.files.decoderStep),
  ]);
  const runStep = stepRunner(ort, step);
  // The bundle's vocabulary as a tokenizer: a hypothesis holds words only (no start, end or padding id).
  const idToWord = (id) => info.vocabulary[id];
  const vocabulary = { idToWord, decode: (ids) => Array.from(ids, idToWord).join(' ') };

  /**
   * Captions one image given as RGB bytes, `imageSize`² × 3 (already resized); `options` as the server's
   * query (beamWidth, maxLength, lengthPenalty, noRepeatNgramSize). Returns the server's JSON fields.
   */
  async function caption(rgb, overrides = {}) {
    const started = performance.now();
    const options = resolveSearchOptions(overrides, info.maxLength);
    const size = info.imageSize;
    if (rgb.length !== size * size * 3)
      throw new Error(`caption needs ${size}×${size} RGB pixels, got ${rgb.length} values`);
    const { features } = await backbone.run({
      images: new ort.Tensor('float32', Float32Array.from(rgb), [1, size, size, 3]),
    });
    const graphs = { encoder, runStep, shape: info.step, featureShape: features.dims.slice(1) };
    const [best] = await captionOnnxFeatures(ort, graphs, features.data, 1, info.tokens, options);
    // The library's one result type, as the server builds it (ids in `tokens`, their words in `words`).
    const result = captionResult(best, vocabulary, info.step.gridTokens);
    return {
      caption: result.caption,
      tokens: result.words,
      score: result.score,
      attention: result.attention,
      grid_size: result.gridSize,
      timing_ms: Math.round((performance.now() - started) * 10) / 10,
    };
  }

  return { caption, imageSize: info.imageSize };
}

/**
 * An image file as RGB bytes at `size` × `size`, as the server makes them: the browser decodes the file at its
 * natural size (EXIF orientation applied), then `resizeForModel` — the server's own resize code, served from
 * @imgcap/image-io — stretches it to the square (bilinear, half-pixel centres, as Keras `tf.image.resize`).
 */
export async function filePixels(file, size) {
  if (sniffImageFormat(new Uint8Array(await file.slice(0, 64).arrayBuffer())) === 'heic')
    throw new Error(HEIC_NOT_SUPPORTED);
  // A canvas keeps colour premultiplied by alpha, so semi-transparent pixels may come back a level or so off the
  // file's (the server drops alpha without touching colour); opaque images give the decoder's pixels as they are.
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const { width, height } = bitmap;
  const context = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = context.getImageData(0, 0, width, height).data;
  return resizeForModel({ data: rgba, width, height, channels: 4 }, { width: size, height: size });
}
