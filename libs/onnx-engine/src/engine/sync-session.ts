import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';

/** The part of onnxruntime-node's native session this engine uses. */
interface NativeSession {
  loadModel(path: string, options: object): void;
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  run(
    feeds: Record<string, ort.Tensor>,
    fetches: Record<string, ort.Tensor | null>,
    options: object,
  ): Record<string, ort.Tensor>;
  readonly outputMetadata: { name: string }[];
  dispose(): void;
}

interface NativeBinding {
  binding: { InferenceSession: new () => NativeSession };
  initOrt(): void;
}

/** The onnxruntime-node release whose native binding this file was written against. */
export const PINNED_ORT_VERSION = '1.30.0';

/**
 * A synchronous ONNX Runtime session. The captioner's search calls `DecoderSession.step`
 * synchronously (as tfjs kernels run), but `ort.InferenceSession.run` only wraps the native,
 * synchronous run in a Promise. Until `step` may return a Promise, the decoder step calls the
 * native binding directly; its test checks it against the public API, and the pinned version guards
 * against a release whose internals differ.
 */
export class SyncOrtSession {
  private readonly native: NativeSession;
  private readonly fetches: Record<string, null>;

  /** `model`: an .onnx file's path, or the model's bytes. */
  constructor(model: string | Uint8Array, options: ort.InferenceSession.SessionOptions = {}) {
    if (ort.env.versions.node !== PINNED_ORT_VERSION) {
      throw new Error(
        `onnxruntime-node ${ort.env.versions.node} is installed; SyncOrtSession supports only ${PINNED_ORT_VERSION}.`,
      );
    }
    const { binding, initOrt } = createRequire(import.meta.url)('onnxruntime-node/dist/binding.js') as NativeBinding;
    initOrt();
    this.native = new binding.InferenceSession();
    if (typeof model === 'string') this.native.loadModel(model, options);
    else this.native.loadModel(model.buffer, model.byteOffset, model.byteLength, options);
    this.fetches = Object.fromEntries(this.native.outputMetadata.map((m) => [m.name, null]));
  }

  run(feeds: Record<string, ort.Tensor>): Record<string, ort.Tensor> {
    return this.native.run(feeds, this.fetches, {});
  }

  /** Runs with outputs written into the given tensors' memory (pre-allocated, as ONNX Runtime allows). */
  runInto(feeds: Record<string, ort.Tensor>, outputs: Record<string, ort.Tensor>): void {
    this.native.run(feeds, outputs, {});
  }

  dispose(): void {
    this.native.dispose();
  }
}
