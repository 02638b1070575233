import type { StepOutput } from './session.js';

/** One step's log-probabilities and attention (empty when the session has none) as arrays; frees step tensors. */
export async function readStep(pending: StepOutput | Promise<StepOutput>): Promise<[Float32Array, Float32Array]> {
  const step = await pending;
  if (isHostStep(step)) return [step.logProbs, step.attention];
  const { logProbs, attention } = step;
  const [logValues, attentionValues] = await Promise.all([logProbs.data(), attention?.data()]);
  logProbs.dispose();
  attention?.dispose();
  return [logValues as Float32Array, (attentionValues as Float32Array | undefined) ?? new Float32Array(0)];
}

function isHostStep(step: StepOutput): step is Extract<StepOutput, { logProbs: Float32Array }> {
  return step.logProbs instanceof Float32Array;
}
