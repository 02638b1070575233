/**
 * Adam over weights, moments and gradients that live in shared memory, as plain loops over float32
 * arrays. DataParallelTrainer splits the parameters into one contiguous range per thread, so the
 * update itself runs on every core, and no tensor is created for it. The arithmetic is tfjs's
 * `AdamOptimizer.applyGradients` (same bias correction, epsilon added after the square root), and the
 * state it saves has the same layout, so checkpoints move freely between the two trainers.
 */
export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Shared buffers, all laid out as `SharedWeightLayout` (every trainable weight end to end). */
export interface SharedAdamBuffers {
  weights: Float32Array;
  firstMoment: Float32Array;
  secondMoment: Float32Array;
  /** One gradient buffer per replica. */
  grads: Float32Array[];
}

/**
 * One Adam update of parameters [start, end): the gradient is Σ shares[r] · grads[r] over the first
 * `shares.length` gradient buffers (the replicas that had rows this step); `step` counts from 1.
 */
export function adamUpdateRange(
  buffers: SharedAdamBuffers,
  shares: readonly number[],
  settings: AdamSettings,
  step: number,
  start: number,
  end: number,
): void {
  const { weights, firstMoment: m, secondMoment: v } = buffers;
  const grads = buffers.grads.slice(0, shares.length);
  const { learningRate, beta1, beta2, epsilon } = settings;
  // tfjs: w −= lr · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε), with the bias corrections hoisted
  // out of the loop (one division and one square root per parameter).
  const stepSize = learningRate / (1 - beta1 ** step);
  const inverseRootCorrection = 1 / Math.sqrt(1 - beta2 ** step);
  const [keep1, keep2] = [1 - beta1, 1 - beta2];
  if (grads.length < 1 || grads.length > 4)
    throw new RangeError(`adamUpdateRange: 1 to 4 gradient buffers; got ${grads.length}`);
  // Unrolled over ≤ 4 replicas (an inner loop over the buffers runs far slower in V8); absent replicas
  // read the first buffer with share 0 (it is finite, or the step would have been skipped).
  const [g0, g1 = g0, g2 = g0, g3 = g0] = grads as [Float32Array, ...Float32Array[]];
  const [s0 = 0, s1 = 0, s2 = 0, s3 = 0] = shares;
  for (let i = start; i < end; i++) {
    const g = s0 * g0[i]! + s1 * g1[i]! + s2 * g2[i]! + s3 * g3[i]!;
    const mi = beta1 * m[i]! + keep1 * g;
    const vi = beta2 * v[i]! + keep2 * g * g;
    m[i] = mi;
    v[i] = vi;
    weights[i] = weights[i]! - (stepSize * mi) / (Math.sqrt(vi) * inverseRootCorrection + epsilon);
  }
}

/** The range of parameters thread `part` of `parts` updates: contiguous, as even as possible. */
export function updateRange(total: number, part: number, parts: number): [number, number] {
  const size = Math.ceil(total / parts);
  return [Math.min(total, part * size), Math.min(total, (part + 1) * size)];
}
