// Captions in the browser with ONNX Runtime Web: the bundle's own ONNX export (backbone, encoder, decoder
// step with key/value cache), decoded by the same search and decoder-session code the server's ONNX engine
// runs (served as built from @imgcap/captioner and @imgcap/onnx-engine). Served at /browser/browser-captioner.mjs.
import * as ort from './ort/ort.wasm.min.mjs';
import { beamSearch, greedySearch, resolveSearchOptions } from './lib/captioner/generation/index.js';
import { gatherRows, OnnxDecoderSession, stepRunner } from './lib/onnx-engine/browser.js';

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
  const { numHeads, gridTokens, headDim } = info.step;
  const crossRow = numHeads * gridTokens * headDim;

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
    const encoded = await encoder.run({ features });
    const K = options.beamWidth;
    const beams = new Int32Array(K); // every beam decodes image 0
    const cross = {
      keys: gatherRows(encoded.cross_keys.data, beams, crossRow),
      values: gatherRows(encoded.cross_values.data, beams, crossRow),
    };
    const session = new OnnxDecoderSession(runStep, K, cross, info.step);
    const [best] =
      K === 1 ? await greedySearch(session, info.tokens, options) : await beamSearch(session, 1, info.tokens, options);
    session.dispose();
    const words = best.tokens.map((id) => info.vocabulary[id]);
    return {
      caption: words.join(' '),
      tokens: words,
      score: best.score,
      attention: best.attention,
      grid_size: info.gridSize,
      timing_ms: Math.round((performance.now() - started) * 10) / 10,
    };
  }

  return { caption, imageSize: info.imageSize };
}

/**
 * An image file as RGB bytes at `size` × `size`: EXIF orientation applied, stretched to the square as the
 * server does (fit "fill"). The browser's resampling is not sharp's, so on images that need resizing a
 * caption can differ slightly from the server's.
 */
export async function filePixels(file, size) {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const canvas = new OffscreenCanvas(size, size);
  const context = canvas.getContext('2d');
  context.drawImage(bitmap, 0, 0, size, size);
  bitmap.close();
  const rgba = context.getImageData(0, 0, size, size).data;
  const rgb = new Uint8Array(size * size * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i];
    rgb[j + 1] = rgba[i + 1];
    rgb[j + 2] = rgba[i + 2];
  }
  return rgb;
}
