import * as ort from 'onnxruntime-node';

/** A backbone graph on ONNX Runtime: `count` images, row-major [count, S, S, 3] RGB 0..255 → features [count, T, C]. */
export interface BackboneSession {
  features(pixels: Float32Array, count: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/** Opens `backbone.onnx` (a path, or the graph's bytes) for images of `imageSize` × `imageSize`. */
export async function openBackboneSession(
  model: string | Uint8Array,
  imageSize: number,
  options: ort.InferenceSession.SessionOptions = {},
): Promise<BackboneSession> {
  // Two overloads of create, one per kind of model source.
  const session =
    typeof model === 'string'
      ? await ort.InferenceSession.create(model, options)
      : await ort.InferenceSession.create(model, options);
  return {
    async features(pixels, count) {
      if (pixels.length !== count * imageSize * imageSize * 3) {
        throw new Error(`features needs ${count} × ${imageSize} × ${imageSize} × 3 pixel values, got ${pixels.length}`);
      }
      const out = await session.run({ images: new ort.Tensor('float32', pixels, [count, imageSize, imageSize, 3]) });
      return out['features']!.data as Float32Array;
    },
    dispose: () => session.release(),
  };
}
