// Raw dense-kernel speed of the selected backend: the ceiling every other figure sits under.
import { benchMatMul } from '@imgcap/tf-runtime/bench';
import { summarize } from './measure.mjs';

const SIZE = 512;

/** GFLOP/s of a 512×512 by 512×512 product; each repeat is one `benchMatMul` call of ≥ minMs. */
export async function benchMatmulGroup({ repeats }) {
  const samples = [];
  for (let i = 0; i < repeats; i++) samples.push(await benchMatMul(SIZE, { minMs: 300 }));
  return { n: SIZE, ...summarize(samples) };
}
