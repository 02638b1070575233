import { argMax, decodeRows, type TokenChooser } from './greedy-search.js';
import type { SearchOptions } from './search-options.js';
import type { DecoderSession, Hypothesis, SearchTokens } from './session.js';

/**
 * mulberry32, the generator flickr-dataset shuffles with (the same seed gives the same stream); kept here because
 * this entry point is browser-safe and depends on no data library.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Row `row`'s own stream of draws from `seed`: a row's caption does not depend on the rows decoded beside it. */
function rowRandom(seed: number, row: number): () => number {
  return seededRandom((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(row + 1, 0x85ebca6b)) >>> 0);
}

/**
 * Draws each row's next id from softmax(logProbs / temperature), over the `topK` likeliest allowed ids (0: all),
 * each row from its own seeded stream. Temperature 0 is the arg-max (greedy decoding), ties to the lower id.
 */
export function sampler(temperature: number, topK: number, seed: number): TokenChooser {
  if (temperature === 0) return argMax;
  const streams: (() => number)[] = [];
  // One weight per candidate, reused across rows and steps: this runs for every row at every step.
  let weights = new Float64Array(0);
  return (logProbs, offset, vocab, banned, repeats, row) => {
    const random = (streams[row] ??= rowRandom(seed, row));
    const allowed = (token: number) => banned[token] !== 1 && !repeats?.has(token);
    // The candidates in order: the top k (all allowed), or every id (the banned ones weigh 0).
    const ids = topK > 0 ? topIds(logProbs, offset, vocab, topK, allowed) : null;
    const count = ids ? ids.length : vocab;
    const idAt = (i: number) => (ids ? ids[i]! : i);
    if (weights.length < count) weights = new Float64Array(count);
    let max = -Infinity;
    for (let i = 0; i < count; i++) if (ids || allowed(i)) max = Math.max(max, logProbs[offset + idAt(i)]!);
    // exp((lp − max) / T): the largest weight is 1, so no underflow of the whole row at low temperature.
    let total = 0;
    let last = -1;
    for (let i = 0; i < count; i++) {
      const candidate = ids !== null || allowed(i);
      weights[i] = candidate ? Math.exp((logProbs[offset + idAt(i)]! - max) / temperature) : 0;
      total += weights[i]!;
      if (candidate) last = i;
    }
    let remaining = random() * total;
    for (let i = 0; i < count; i++) {
      if (weights[i] === 0) continue;
      remaining -= weights[i]!;
      if (remaining < 0) return idAt(i);
    }
    return idAt(last);
  };
}

/** The k allowed ids of highest log-probability, highest first (insertion into a short sorted list). */
function topIds(
  logProbs: Float32Array,
  offset: number,
  vocab: number,
  k: number,
  allowed: (token: number) => boolean,
): number[] {
  const top: number[] = [];
  for (let token = 0; token < vocab; token++) {
    if (!allowed(token)) continue;
    const value = logProbs[offset + token]!;
    if (top.length === k && value <= logProbs[offset + top[k - 1]!]!) continue;
    let at = top.length === k ? k - 1 : top.length;
    while (at > 0 && logProbs[offset + top[at - 1]!]! < value) at--;
    top.splice(at, 0, token);
    if (top.length > k) top.pop();
  }
  return top;
}

/**
 * Sampling of a batch: one caption drawn per row, with the banned ids, n-gram bans and stopping rules of greedy
 * decoding. The same seed, model and row give the same caption.
 */
export function sampleSearch(
  session: DecoderSession,
  tokens: SearchTokens,
  options: Pick<SearchOptions, 'maxLength' | 'lengthPenalty' | 'noRepeatNgramSize' | 'temperature' | 'topK'>,
  seed: number,
): Promise<Hypothesis[]> {
  return decodeRows(session, tokens, options, sampler(options.temperature, options.topK, seed));
}
