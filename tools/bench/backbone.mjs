// Frozen backbone throughput (random init: speed does not depend on the weights' values).
import { benchBackbone } from '@imgcap/vision-backbone/bench';
import { summarize } from './measure.mjs';

const BATCH = 8;
/** Each variant at its Keras resolution: B0 @224, B1 @240 (the seed's backbone). */
const VARIANTS = [
  { key: 'b0@224', variant: 'b0', imageSize: 224 },
  { key: 'b1@240', variant: 'b1', imageSize: 240 },
];

/**
 * Images/s by wall clock at batch 8. Each repeat is one `benchBackbone` call (build, one untimed
 * warm-up pass, `passes` timed passes), so the median is over independent runs.
 */
export async function benchBackboneGroup({ repeats, quick }) {
  const passes = quick ? 1 : 2;
  const result = { batch: BATCH, passes_per_repeat: passes };
  for (const { key, variant, imageSize } of VARIANTS) {
    const samples = [];
    for (let i = 0; i < repeats; i++)
      samples.push(await benchBackbone(variant, BATCH, { imageSize, repeats: passes, clock: 'wall' }));
    result[key] = summarize(samples);
  }
  return result;
}
