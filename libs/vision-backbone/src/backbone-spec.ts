// Which frozen backbone turns images into encoder tokens, and its stable string id. The id keys feature
// caches and is stored in caption bundles, so it names everything that changes the features: variant,
// resolution, cut layer, and whether the weights are pretrained or the seeded random initialisation.
import {
  assertVariant,
  countEfficientNetParams,
  efficientNetPlan,
  VARIANT_SCALING,
  type EfficientNetVariant,
} from './efficientnet-spec.js';

export interface EfficientNetBackboneSpec {
  kind: 'efficientnet';
  variant: EfficientNetVariant;
  /** Square input side in pixels. Default: the variant's Keras resolution (B1: 240). */
  imageSize?: number;
  /** Converter output directory, or a Keras weights file (`.h5` as Keras's applications publish it, `.weights.h5`, `.keras`); without it the backbone keeps its seeded random init. */
  weightsDir?: string;
  /** Take features from this layer (e.g. `block3b_add`) instead of `top_activation`. */
  cutLayer?: string;
}

export interface PatchBackboneSpec {
  kind: 'patch';
  /** Side of a square patch in pixels. Default 8. */
  patchSize?: number;
  /** Square input side in pixels, a multiple of patchSize. Default 64. */
  imageSize?: number;
}

export type BackboneSpec = EfficientNetBackboneSpec | PatchBackboneSpec;

export const PATCH_DEFAULTS = { patchSize: 8, imageSize: 64 } as const;
const RANDOM_SUFFIX = 'random';
const LAYER_NAME = /^[a-z0-9_]+$/;

function assertSide(value: number, what: string, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new Error(`${what} must be an integer ≥ ${min}, got ${value}`);
}

/** Throws a message naming the bad field and what is allowed; returns the spec with defaults filled in. */
export function resolveBackboneSpec(
  spec: BackboneSpec,
): Required<PatchBackboneSpec> | (EfficientNetBackboneSpec & { imageSize: number }) {
  if (spec.kind === 'patch') {
    const { patchSize = PATCH_DEFAULTS.patchSize, imageSize = PATCH_DEFAULTS.imageSize } = spec;
    assertSide(patchSize, 'patchSize', 1);
    assertSide(imageSize, 'imageSize', patchSize);
    if (imageSize % patchSize !== 0)
      throw new Error(`imageSize ${imageSize} is not a multiple of patchSize ${patchSize}`);
    return { kind: 'patch', patchSize, imageSize };
  }
  if (spec.kind === 'efficientnet') {
    assertVariant(spec.variant);
    const imageSize = spec.imageSize ?? VARIANT_SCALING[spec.variant].imageSize;
    assertSide(imageSize, 'imageSize', 32);
    if (spec.cutLayer !== undefined && (!LAYER_NAME.test(spec.cutLayer) || spec.cutLayer === RANDOM_SUFFIX)) {
      throw new Error(`cutLayer '${spec.cutLayer}' is not a Keras layer name (lowercase letters, digits, '_')`);
    }
    return { ...spec, imageSize };
  }
  throw new Error(`Unknown backbone kind '${(spec as { kind: unknown }).kind}'; expected 'efficientnet' or 'patch'`);
}

/** `patch8@64`, `efficientnet-b1@240`, `efficientnet-b1@224-block3b_add-random`. */
export function backboneId(spec: BackboneSpec): string {
  const resolved = resolveBackboneSpec(spec);
  if (resolved.kind === 'patch') return `patch${resolved.patchSize}@${resolved.imageSize}`;
  const cut = resolved.cutLayer ? `-${resolved.cutLayer}` : '';
  const random = resolved.weightsDir === undefined ? `-${RANDOM_SUFFIX}` : '';
  return `efficientnet-${resolved.variant}@${resolved.imageSize}${cut}${random}`;
}

const PATCH_ID = /^patch(\d+)@(\d+)$/;
const EFFICIENTNET_ID = /^efficientnet-(b\d)@(\d+)((?:-[a-z0-9_]+){0,2})$/;

/**
 * Inverse of backboneId. An id of a pretrained EfficientNet does not say where its weights live, so pass
 * `weightsDir` for it; a `-random` id must not get one.
 */
export function parseBackboneId(id: string, weightsDir?: string): BackboneSpec {
  const patch = PATCH_ID.exec(id);
  if (patch) {
    if (weightsDir !== undefined)
      throw new Error(`Backbone '${id}' has no weights, but weightsDir '${weightsDir}' was given`);
    return resolveBackboneSpec({ kind: 'patch', patchSize: Number(patch[1]), imageSize: Number(patch[2]) });
  }
  const net = EFFICIENTNET_ID.exec(id);
  if (!net) {
    throw new Error(
      `Unknown backbone id '${id}'; expected 'patch<size>@<px>' or 'efficientnet-b<0-7>@<px>[-<layer>][-random]'`,
    );
  }
  const [, variant, size, suffix] = net;
  const parts = suffix.split('-').slice(1);
  const random = parts[parts.length - 1] === RANDOM_SUFFIX;
  if (random) parts.pop();
  if (parts.length > 1)
    throw new Error(`Backbone id '${id}' names two cut layers (${parts.join(', ')}); expected at most one`);
  const spec: EfficientNetBackboneSpec = {
    kind: 'efficientnet',
    variant: variant as EfficientNetVariant,
    imageSize: Number(size),
  };
  if (parts.length === 1) spec.cutLayer = parts[0];
  resolveBackboneSpec(spec);
  if (random && weightsDir !== undefined) {
    throw new Error(`Backbone '${id}' is randomly initialised, but weightsDir '${weightsDir}' was given`);
  }
  if (!random && weightsDir === undefined) {
    throw new Error(`Backbone '${id}' uses pretrained weights; pass the directory of its converted weights`);
  }
  if (weightsDir !== undefined) spec.weightsDir = weightsDir;
  return spec;
}

/** What a backbone gives the encoder, known without building it. */
export interface BackboneSummary {
  id: string;
  imageSize: number;
  /** [grid cells, channels] of its features; null for an EfficientNet cut at an inner layer (build it to know). */
  featureShape: [number, number] | null;
  /** Frozen parameters (the Keras model's count, with the input Normalization's); 0 for raw patches. */
  parameters: number;
}

/**
 * The feature grid and parameter count of a backbone from its spec alone. EfficientNet's five stride-2 stages
 * with Keras's padding round up: 224 px → 7 × 7, 240 px → 8 × 8.
 */
export function backboneSummary(spec: BackboneSpec): BackboneSummary {
  const resolved = resolveBackboneSpec(spec);
  const id = backboneId(spec);
  if (resolved.kind === 'patch') {
    const grid = resolved.imageSize / resolved.patchSize;
    return {
      id,
      imageSize: resolved.imageSize,
      featureShape: [grid * grid, resolved.patchSize * resolved.patchSize * 3],
      parameters: 0,
    };
  }
  const grid = Math.ceil(resolved.imageSize / 32);
  const featureShape: [number, number] | null = resolved.cutLayer
    ? null
    : [grid * grid, efficientNetPlan(resolved.variant).topFilters];
  return { id, imageSize: resolved.imageSize, featureShape, parameters: countEfficientNetParams(resolved.variant) };
}
