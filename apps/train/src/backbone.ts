import type { BackboneSpec } from '@imgcap/vision-backbone';
import type { TrainConfig } from './config.js';

const EFFICIENTNET = /^efficientnet-(b[0-7])$/;
const PATCH = /^patch(\d+)?$/;

/** The Keras project fed EfficientNet 224 × 224 images whatever the variant (its IMAGE_SIZE): B1 → a 7 × 7 grid. */
export const SEED_IMAGE_SIZE = 224;

/**
 * `--backbone efficientnet-b0…b7` (the seed's frozen CNN; pass `--backbone_weights` for ImageNet weights)
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
      ...(config.backbone_weights !== undefined ? { weightsDir: config.backbone_weights } : {}),
      ...(config.backbone_layer !== undefined ? { cutLayer: config.backbone_layer } : {}),
    };
  }
  const patch = PATCH.exec(config.backbone);
  if (patch) {
    if (config.backbone_weights !== undefined || config.backbone_layer !== undefined) {
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
