import type { Hypothesis, SearchTokens } from '@imgcap/captioner/generation';
import type { TrainingBatch } from '@imgcap/captioner/training';

/**
 * The teacher-forcing batch that scores sampled captions: row i·k + j holds image i's features and its j-th sample
 * (start + words → words + end marker when the sample ended), weighted by the sample's advantage (reward −
 * baseline). Its weighted cross-entropy is the SCST loss −(r − b) Σ log p(word), words up to and including the end
 * marker, averaged over the batch's words.
 */
export function sampledBatch(
  features: Float32Array,
  images: number,
  samples: readonly Hypothesis[],
  advantages: readonly number[],
  tokens: Pick<SearchTokens, 'start' | 'end'>,
  length: number,
): TrainingBatch {
  const rows = samples.length;
  const k = rows / images;
  const perImage = features.length / images;
  const tiled = new Float32Array(rows * perImage);
  for (let row = 0; row < rows; row++) {
    const image = Math.floor(row / k);
    tiled.set(features.subarray(image * perImage, (image + 1) * perImage), row * perImage);
  }
  const inputTokens = new Int32Array(rows * length);
  const targetTokens = new Int32Array(rows * length);
  const targetWeights = new Float32Array(rows * length);
  samples.forEach((sample, row) => {
    const targets = sample.finished ? [...sample.tokens, tokens.end] : sample.tokens;
    if (targets.length > length) throw new Error(`SCST: a sample of ${targets.length} ids exceeds length ${length}`);
    const inputs = [tokens.start, ...sample.tokens];
    for (let t = 0; t < targets.length; t++) {
      inputTokens[row * length + t] = inputs[t]!;
      targetTokens[row * length + t] = targets[t]!;
      targetWeights[row * length + t] = advantages[row]!;
    }
  });
  return { batchSize: rows, features: tiled, inputTokens, targetTokens, targetWeights };
}
