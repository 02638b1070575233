// The frozen image → token-grid stage the captioner's encoder reads. Every extract call runs inside
// tf.tidy so a server calling it per request holds no tensors beyond the one it returns.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { backboneId, resolveBackboneSpec, type BackboneSpec, type EfficientNetBackboneSpec } from './backbone-spec.js';
import { buildEfficientNet } from './efficientnet.js';
import { efficientNetPlan } from './efficientnet-spec.js';
import { isKerasWeightsFile } from './keras-weights-file.js';
import {
  inputChannelScaleOf,
  inputChannelScaleOfWeightsFile,
  loadBackboneWeights,
  readConvertedModelJson,
} from './load-weights.js';

export interface FeatureExtractor {
  /** backboneId of the spec, e.g. `efficientnet-b1@240` or `patch8@64`. */
  readonly id: string;
  /** Images must be [N, imageSize, imageSize, 3]. */
  readonly imageSize: number;
  readonly featureShape: [tokens: number, channels: number];
  /** [N, H, W, 3] RGB floats in 0..255 → [N, tokens, channels]; the caller disposes the result. */
  extract(images: tf.Tensor4D): tf.Tensor3D;
  /** The tfjs model (EfficientNet, cut at its feature layer) for exporters such as @imgcap/onnx-engine; none for patches. */
  readonly network?: tfl.LayersModel;
  dispose(): void;
}

/** Images per forward pass: bounds activation memory when a caller extracts a large N at once. */
const EXTRACT_BATCH = 16;

function assertImages(images: tf.Tensor, id: string, imageSize: number): void {
  const [, h, w, c] = images.shape;
  if (images.rank !== 4 || h !== imageSize || w !== imageSize || c !== 3) {
    throw new Error(
      `Backbone ${id} expects images of shape [N, ${imageSize}, ${imageSize}, 3], got [${images.shape.join(', ')}]`,
    );
  }
}

function createPatchExtractor(patchSize: number, imageSize: number, id: string): FeatureExtractor {
  const grid = imageSize / patchSize;
  const channels = patchSize * patchSize * 3;
  return {
    id,
    imageSize,
    featureShape: [grid * grid, channels],
    extract(images) {
      assertImages(images, id, imageSize);
      return tf.tidy(() => {
        const n = images.shape[0];
        // [N, gy, py, gx, px, 3] → [N, gy, gx, py, px, 3]: each token is one patch, row-major pixels.
        const patches = tf.transpose(tf.reshape(images, [n, grid, patchSize, grid, patchSize, 3]), [0, 1, 3, 2, 4, 5]);
        return tf.div(tf.reshape(patches, [n, grid * grid, channels]), 255) as tf.Tensor3D;
      });
    },
    dispose() {},
  };
}

/** Names of the block outputs a feature grid can be cut at, for the error message. */
function cutCandidates(spec: EfficientNetBackboneSpec): string[] {
  const blocks = efficientNetPlan(spec.variant).blocks.map((b) => `${b.name}${b.hasResidual ? 'add' : 'project_bn'}`);
  return [...blocks, 'top_activation'];
}

async function createEfficientNetExtractor(
  spec: EfficientNetBackboneSpec & { imageSize: number },
  id: string,
): Promise<FeatureExtractor> {
  const { variant, imageSize, weightsDir, cutLayer = 'top_activation' } = spec;
  const inputChannelScale =
    weightsDir === undefined
      ? undefined
      : isKerasWeightsFile(weightsDir)
        ? await inputChannelScaleOfWeightsFile(weightsDir)
        : inputChannelScaleOf((await readConvertedModelJson(weightsDir)).modelTopology);
  const full = buildEfficientNet(variant, { inputShape: [imageSize, imageSize, 3], inputChannelScale });
  if (weightsDir) await loadBackboneWeights(full, weightsDir);

  const candidates = full.layers.map((l) => l.name);
  if (!candidates.includes(cutLayer)) {
    full.dispose();
    throw new Error(
      `cutLayer '${cutLayer}' is not a layer of EfficientNet-${variant}; block outputs: ${cutCandidates(spec).join(', ')}`,
    );
  }
  const output = full.getLayer(cutLayer).output as tfl.SymbolicTensor;
  const [, height, width, channels] = output.shape;
  if (output.shape.length !== 4 || height == null || width == null || channels == null) {
    full.dispose();
    throw new Error(
      `cutLayer '${cutLayer}' gives shape [${output.shape.join(', ')}]; a feature grid needs [N, H, W, C]`,
    );
  }
  const network = cutLayer === 'top_activation' ? full : tfl.model({ inputs: full.inputs, outputs: output });
  const tokens = height * width;
  return {
    id,
    imageSize,
    featureShape: [tokens, channels],
    network,
    extract(images) {
      assertImages(images, id, imageSize);
      return tf.tidy(() => {
        const grid = network.predict(images, { batchSize: EXTRACT_BATCH }) as tf.Tensor4D;
        return tf.reshape(grid, [images.shape[0], tokens, channels]) as tf.Tensor3D;
      });
    },
    dispose() {
      full.dispose();
    },
  };
}

/** Builds the frozen backbone a spec names (loading converted weights when `weightsDir` is set). */
export async function createFeatureExtractor(spec: BackboneSpec): Promise<FeatureExtractor> {
  const resolved = resolveBackboneSpec(spec);
  const id = backboneId(resolved);
  if (resolved.kind === 'patch') return createPatchExtractor(resolved.patchSize, resolved.imageSize, id);
  return createEfficientNetExtractor(resolved, id);
}
