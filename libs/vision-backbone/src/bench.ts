// Throughput of the frozen backbone on whatever tfjs backend the caller has selected, for tools/bench.
import * as tf from '@tensorflow/tfjs-core';
import { createFeatureExtractor } from './feature-extractor.js';
import type { EfficientNetVariant } from './efficientnet-spec.js';

export interface BenchOptions {
  /** Default: the variant's Keras resolution. */
  imageSize?: number;
  /** Timed forward passes after one untimed warm-up (kernel setup and weight upload). Default 3. */
  repeats?: number;
  /**
   * 'wall' (default): elapsed time. 'cpu': this process's CPU time — a steadier figure for a single-threaded
   * backend (wasm in Node) on a machine shared with other work; meaningless for multi-threaded backends.
   */
  clock?: 'wall' | 'cpu';
}

function startClock(clock: 'wall' | 'cpu'): () => number {
  if (clock === 'wall') {
    const start = performance.now();
    return () => (performance.now() - start) / 1000;
  }
  const start = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1e6;
  };
}

/** Images per second of a randomly initialised EfficientNet forward pass at the given batch size. */
export async function benchBackbone(
  variant: EfficientNetVariant,
  batch: number,
  options: BenchOptions = {},
): Promise<number> {
  const { repeats = 3, clock = 'wall' } = options;
  if (clock !== 'wall' && clock !== 'cpu') throw new Error(`clock must be 'wall' or 'cpu', got '${String(clock)}'`);
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`batch must be a positive integer, got ${batch}`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`repeats must be a positive integer, got ${repeats}`);
  const extractor = await createFeatureExtractor({ kind: 'efficientnet', variant, imageSize: options.imageSize });
  const size = extractor.imageSize;
  const images = tf.randomUniform([batch, size, size, 3], 0, 255, 'float32', 1) as tf.Tensor4D;
  try {
    const forward = async (): Promise<void> => {
      const features = extractor.extract(images);
      await features.data(); // wait for the backend to finish, not just to enqueue
      features.dispose();
    };
    await forward();
    const elapsed = startClock(clock);
    for (let i = 0; i < repeats; i++) await forward();
    const seconds = elapsed();
    return (batch * repeats) / seconds;
  } finally {
    images.dispose();
    extractor.dispose();
  }
}
