// The EfficientNet B0–B7 architecture as data, exactly as Keras's `keras/applications/efficientnet.py`
// defines it. The model builder and the analytic parameter counter both read this plan, so a count test
// on B2–B7 (too large to build in a unit test) checks the same blocks the builder creates.

export const EFFICIENTNET_VARIANTS = ['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7'] as const;
export type EfficientNetVariant = (typeof EFFICIENTNET_VARIANTS)[number];

interface VariantScaling {
  widthCoefficient: number;
  depthCoefficient: number;
  /** Input resolution the ImageNet weights were trained at. */
  imageSize: number;
  topDropoutRate: number;
}

/** (width, depth, resolution, dropout) from Keras's EfficientNetB0…B7 functions. */
export const VARIANT_SCALING: Readonly<Record<EfficientNetVariant, VariantScaling>> = {
  b0: { widthCoefficient: 1.0, depthCoefficient: 1.0, imageSize: 224, topDropoutRate: 0.2 },
  b1: { widthCoefficient: 1.0, depthCoefficient: 1.1, imageSize: 240, topDropoutRate: 0.2 },
  b2: { widthCoefficient: 1.1, depthCoefficient: 1.2, imageSize: 260, topDropoutRate: 0.3 },
  b3: { widthCoefficient: 1.2, depthCoefficient: 1.4, imageSize: 300, topDropoutRate: 0.3 },
  b4: { widthCoefficient: 1.4, depthCoefficient: 1.8, imageSize: 380, topDropoutRate: 0.4 },
  b5: { widthCoefficient: 1.6, depthCoefficient: 2.2, imageSize: 456, topDropoutRate: 0.4 },
  b6: { widthCoefficient: 1.8, depthCoefficient: 2.6, imageSize: 528, topDropoutRate: 0.5 },
  b7: { widthCoefficient: 2.0, depthCoefficient: 3.1, imageSize: 600, topDropoutRate: 0.5 },
};

const DEPTH_DIVISOR = 8;
const DROP_CONNECT_RATE = 0.2;
const STEM_FILTERS = 32;
const TOP_FILTERS = 1280;

interface StageArgs {
  kernelSize: number;
  repeats: number;
  filtersIn: number;
  filtersOut: number;
  expandRatio: number;
  strides: 1 | 2;
}

/** Keras's DEFAULT_BLOCKS_ARGS (every stage has se_ratio 0.25 and id_skip true). */
const DEFAULT_STAGES: readonly StageArgs[] = [
  { kernelSize: 3, repeats: 1, filtersIn: 32, filtersOut: 16, expandRatio: 1, strides: 1 },
  { kernelSize: 3, repeats: 2, filtersIn: 16, filtersOut: 24, expandRatio: 6, strides: 2 },
  { kernelSize: 5, repeats: 2, filtersIn: 24, filtersOut: 40, expandRatio: 6, strides: 2 },
  { kernelSize: 3, repeats: 3, filtersIn: 40, filtersOut: 80, expandRatio: 6, strides: 2 },
  { kernelSize: 5, repeats: 3, filtersIn: 80, filtersOut: 112, expandRatio: 6, strides: 1 },
  { kernelSize: 5, repeats: 4, filtersIn: 112, filtersOut: 192, expandRatio: 6, strides: 2 },
  { kernelSize: 3, repeats: 1, filtersIn: 192, filtersOut: 320, expandRatio: 6, strides: 1 },
];
const SE_RATIO = 0.25;

/** One MBConv block with everything the builder needs; `name` is the Keras prefix, e.g. `block2b_`. */
export interface BlockPlan {
  name: string;
  kernelSize: number;
  strides: 1 | 2;
  filtersIn: number;
  filtersOut: number;
  expandRatio: number;
  /** Channels of the squeeze-excite bottleneck: max(1, floor(filtersIn · 0.25)). */
  seFilters: number;
  /** Drop-connect rate 0.2 · b / totalBlocks, used only when the block has a residual add. */
  dropRate: number;
  hasResidual: boolean;
}

export interface EfficientNetPlan {
  variant: EfficientNetVariant;
  stemFilters: number;
  blocks: BlockPlan[];
  topFilters: number;
  topDropoutRate: number;
}

/** Keras `round_filters`: scale by width, round to a multiple of 8, never more than 10% below. */
export function roundFilters(filters: number, widthCoefficient: number): number {
  const scaled = filters * widthCoefficient;
  // Python: int(filters + divisor / 2) // divisor * divisor — int() truncates the float.
  let rounded = Math.max(
    DEPTH_DIVISOR,
    Math.floor(Math.trunc(scaled + DEPTH_DIVISOR / 2) / DEPTH_DIVISOR) * DEPTH_DIVISOR,
  );
  if (rounded < 0.9 * scaled) rounded += DEPTH_DIVISOR;
  return rounded;
}

/** Keras `round_repeats`: ceil(depth_coefficient · repeats). */
export function roundRepeats(repeats: number, depthCoefficient: number): number {
  return Math.ceil(depthCoefficient * repeats);
}

export function assertVariant(variant: string): asserts variant is EfficientNetVariant {
  if (!(EFFICIENTNET_VARIANTS as readonly string[]).includes(variant)) {
    throw new Error(`Unknown EfficientNet variant '${variant}'; expected one of ${EFFICIENTNET_VARIANTS.join(', ')}`);
  }
}

export function efficientNetPlan(variant: EfficientNetVariant): EfficientNetPlan {
  assertVariant(variant);
  const { widthCoefficient: width, depthCoefficient: depth, topDropoutRate } = VARIANT_SCALING[variant];
  const totalBlocks = DEFAULT_STAGES.reduce((sum, stage) => sum + roundRepeats(stage.repeats, depth), 0);
  const blocks: BlockPlan[] = [];
  DEFAULT_STAGES.forEach((stage, stageIndex) => {
    const stageIn = roundFilters(stage.filtersIn, width);
    const filtersOut = roundFilters(stage.filtersOut, width);
    const repeats = roundRepeats(stage.repeats, depth);
    for (let j = 0; j < repeats; j++) {
      // Only the first block of a stage changes stride and width.
      const filtersIn = j === 0 ? stageIn : filtersOut;
      const strides = j === 0 ? stage.strides : 1;
      blocks.push({
        name: `block${stageIndex + 1}${String.fromCharCode(97 + j)}_`,
        kernelSize: stage.kernelSize,
        strides,
        filtersIn,
        filtersOut,
        expandRatio: stage.expandRatio,
        seFilters: Math.max(1, Math.trunc(filtersIn * SE_RATIO)),
        dropRate: (DROP_CONNECT_RATE * blocks.length) / totalBlocks,
        hasResidual: strides === 1 && filtersIn === filtersOut,
      });
    }
  });
  return {
    variant,
    stemFilters: roundFilters(STEM_FILTERS, width),
    blocks,
    topFilters: roundFilters(TOP_FILTERS, width),
    topDropoutRate,
  };
}

const batchNormParams = (channels: number): number => 4 * channels;

function blockParams(block: BlockPlan): number {
  const expanded = block.filtersIn * block.expandRatio;
  let params = 0;
  if (block.expandRatio !== 1) params += block.filtersIn * expanded + batchNormParams(expanded);
  params += block.kernelSize * block.kernelSize * expanded + batchNormParams(expanded);
  params += expanded * block.seFilters + block.seFilters + (block.seFilters * expanded + expanded);
  params += expanded * block.filtersOut + batchNormParams(block.filtersOut);
  return params;
}

/**
 * Parameters of the Keras model counted from the plan (trainable and non-trainable, as Keras's
 * `count_params`), including the input Normalization's mean, variance and count (3 + 3 + 1).
 */
export function countEfficientNetParams(
  variant: EfficientNetVariant,
  options: { includeTop?: boolean; classes?: number } = {},
): number {
  const { includeTop = false, classes = 1000 } = options;
  const plan = efficientNetPlan(variant);
  const normalization = 3 + 3 + 1;
  const stem = 3 * 3 * 3 * plan.stemFilters + batchNormParams(plan.stemFilters);
  const blocks = plan.blocks.reduce((sum, block) => sum + blockParams(block), 0);
  const lastBlockOut = plan.blocks[plan.blocks.length - 1].filtersOut;
  const top = lastBlockOut * plan.topFilters + batchNormParams(plan.topFilters);
  const head = includeTop ? plan.topFilters * classes + classes : 0;
  return normalization + stem + blocks + top + head;
}
