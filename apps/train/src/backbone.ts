import { imagenetWeightsFile, type BackboneSpec, type EfficientNetVariant } from '@imgcap/vision-backbone';
import type { TrainConfig } from './config.js';
import { createDownloadProgress } from './progress.js';

const EFFICIENTNET = /^efficientnet-(b[0-7])$/;
const PATCH = /^patch(\d+)?$/;

/** The Keras project fed EfficientNet 224 × 224 images whatever the variant (its IMAGE_SIZE): B1 → a 7 × 7 grid. */
export const SEED_IMAGE_SIZE = 224;

/**
 * What `--backbone_weights` means when it is not given: `imagenet` for EfficientNet (the Keras project's
 * `EfficientNetB1(weights="imagenet")`), nothing for patch backbones. Fresh runs store the choice in their config.
 */
export function defaultBackboneWeights(config: TrainConfig): string | undefined {
  return config.backbone_weights ?? (EFFICIENTNET.test(config.backbone) ? 'imagenet' : undefined);
}

/** The weights file or directory the backbone loads, or undefined for random (`none`) and patch backbones. */
export function backboneWeightsPath(config: TrainConfig): string | undefined {
  const weights = defaultBackboneWeights(config);
  return weights === 'none' ? undefined : weights;
}

/**
 * `--backbone_weights imagenet` made a file: Keras's cached `efficientnetbN_notop.h5`, imgcap's, or a download
 * (progress shown, MD5 checked as Keras checks it). Other values are returned as they are.
 */
export async function resolveBackboneWeights(config: TrainConfig, log: (line: string) => void): Promise<TrainConfig> {
  const net = EFFICIENTNET.exec(config.backbone);
  if (!net || defaultBackboneWeights(config) !== 'imagenet') return config;
  const variant = net[1] as EfficientNetVariant;
  const progress = createDownloadProgress(`efficientnet${variant}_notop.h5`);
  try {
    const found = await imagenetWeightsFile(variant, {
      log,
      onProgress: progress.update,
      hint: 'pass --backbone_weights FILE (the file, downloaded elsewhere), or --backbone_weights none for a random backbone',
    });
    const where = { 'keras-cache': "Keras's cache", 'imgcap-cache': "imgcap's cache", download: 'downloaded' }[
      found.origin
    ];
    log(`backbone weights: ImageNet, Keras's ${found.file} (MD5 ${found.md5}; ${where}: ${found.path})`);
    return { ...config, backbone_weights: found.path };
  } finally {
    progress.stop();
  }
}

/**
 * `--backbone efficientnet-b0…b7` (the seed's frozen CNN, ImageNet weights unless `--backbone_weights none`)
 * or `--backbone patch<P>` (raw P×P pixel patches; the encoder's first Dense layer is then a trainable
 * patch embedding — the offline default for the synthetic demo, since no pretrained weights exist here).
 */
export function backboneSpecOf(config: TrainConfig): BackboneSpec {
  const net = EFFICIENTNET.exec(config.backbone);
  if (net) {
    // Runs saved before --arch existed have none and were imgcap's, at the backbone's own size.
    const imageSize = config.image_size ?? (config.arch === 'seed' ? SEED_IMAGE_SIZE : undefined);
    return {
      kind: 'efficientnet',
      variant: net[1] as 'b0',
      ...(imageSize !== undefined ? { imageSize } : {}),
      ...(backboneWeightsPath(config) !== undefined ? { weightsDir: backboneWeightsPath(config) } : {}),
      ...(config.backbone_layer !== undefined ? { cutLayer: config.backbone_layer } : {}),
    };
  }
  const patch = PATCH.exec(config.backbone);
  if (patch) {
    if (backboneWeightsPath(config) !== undefined || config.backbone_layer !== undefined) {
      throw new Error(
        `--backbone ${config.backbone} has no weights or layers; drop --backbone_weights/--backbone_layer.`,
      );
    }
    return {
      kind: 'patch',
      ...(patch[1] !== undefined ? { patchSize: Number(patch[1]) } : {}),
      ...(config.image_size !== undefined ? { imageSize: config.image_size } : {}),
    };
  }
  throw new Error(
    `--backbone "${config.backbone}" is not one of efficientnet-b0 … efficientnet-b7, patch, patch<P> (e.g. patch8).`,
  );
}
