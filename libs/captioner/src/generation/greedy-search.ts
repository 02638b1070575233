import type { DecoderSession, Hypothesis, SearchTokens } from './session.js';
import type { SearchOptions } from './search-options.js';
import { readStep } from './read-step.js';
import { repeatedNgramBans } from './repeat-ban.js';
import { BannedIds } from './banned-ids.js';

/**
 * Picks row `row`'s next id from its log-probabilities `logProbs[offset … offset + vocab)`, never an id flagged in
 * `banned` or in `repeats`. Greedy decoding takes the arg-max; sampling draws (sample-search.ts).
 */
export type TokenChooser = (
  logProbs: Float32Array,
  offset: number,
  vocab: number,
  banned: Uint8Array,
  repeats: Set<number> | null,
  row: number,
) => number;

/** Arg-max over one row, skipping banned ids (and this row's repeat bans); ties go to the lower id. */
export const argMax: TokenChooser = (logProbs, offset, vocab, banned, repeats) => {
  let best = -1;
  for (let token = 0; token < vocab; token++) {
    if (banned[token] === 1 || repeats?.has(token)) continue;
    if (best < 0 || logProbs[offset + token]! > logProbs[offset + best]!) best = token;
  }
  return best;
};

/** Greedy decoding of a batch: one row per image, each stopping at its own end marker. */
export function greedySearch(
  session: DecoderSession,
  tokens: SearchTokens,
  options: Pick<SearchOptions, 'maxLength' | 'lengthPenalty' | 'noRepeatNgramSize'>,
): Promise<Hypothesis[]> {
  return decodeRows(session, tokens, options, argMax);
}

/**
 * Left-to-right decoding with one hypothesis per row (greedy or sampled): each row feeds back the id `choose` picks
 * and stops at its own end marker. `logProb` sums the model's log-probabilities of the chosen ids.
 */
export async function decodeRows(
  session: DecoderSession,
  tokens: SearchTokens,
  options: Pick<SearchOptions, 'maxLength' | 'lengthPenalty' | 'noRepeatNgramSize'>,
  choose: TokenChooser,
): Promise<Hypothesis[]> {
  const rows = session.rows;
  const banned = new BannedIds(tokens.banned);
  const results: Hypothesis[] = Array.from({ length: rows }, () => ({
    tokens: [],
    logProb: 0,
    score: 0,
    attention: [],
    finished: false,
  }));
  const input = new Int32Array(rows).fill(tokens.start);
  for (let position = 0; position < options.maxLength && results.some((r) => !r.finished); position++) {
    const [logProbs, weights] = await readStep(session.step(input, position));
    const vocab = logProbs.length / rows;
    const grid = weights.length / rows;
    results.forEach((result, row) => {
      if (result.finished) {
        input[row] = tokens.end;
        return;
      }
      const repeats = repeatedNgramBans(result.tokens, options.noRepeatNgramSize);
      const token = choose(logProbs, row * vocab, vocab, banned.forVocab(vocab), repeats, row);
      result.logProb += logProbs[row * vocab + token]!;
      input[row] = token;
      if (token === tokens.end) result.finished = true;
      else {
        result.tokens.push(token);
        result.attention.push(Array.from(weights.subarray(row * grid, (row + 1) * grid)));
      }
    });
  }
  for (const result of results) {
    const length = result.tokens.length + (result.finished ? 1 : 0);
    result.score = result.logProb / Math.max(1, length) ** options.lengthPenalty;
  }
  return results;
}
