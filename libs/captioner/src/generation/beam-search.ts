import type { DecoderSession, Hypothesis, SearchTokens } from './session.js';
import type { SearchOptions } from './search-options.js';
import { readStep } from './read-step.js';
import { repeatedNgramBans } from './repeat-ban.js';
import { BannedIds } from './banned-ids.js';

interface Candidate {
  parent: number;
  token: number;
  logProb: number;
}

/** Keeps the `count` best (logProb desc, then parent/token asc) candidates of one image. */
function topCandidates(
  logProbs: Float32Array,
  vocab: number,
  rows: { row: number; beam: number; logProb: number; repeats: Set<number> | null }[],
  banned: Uint8Array,
  count: number,
): Candidate[] {
  const best: Candidate[] = [];
  for (const { row, beam, logProb, repeats } of rows) {
    const offset = row * vocab;
    for (let token = 0; token < vocab; token++) {
      if (banned[token] === 1 || repeats?.has(token)) continue;
      const score = logProb + logProbs[offset + token]!;
      if (best.length === count && score <= best[count - 1]!.logProb) continue;
      let at = best.length;
      while (at > 0 && best[at - 1]!.logProb < score) at--;
      best.splice(at, 0, { parent: beam, token, logProb: score });
      if (best.length > count) best.pop();
    }
  }
  return best;
}

function rankScore(logProb: number, length: number, lengthPenalty: number): number {
  return logProb / Math.max(1, length) ** lengthPenalty;
}

/**
 * Beam search over a decoder session whose rows are `images × beamWidth` (row = image·K + beam).
 * With beamWidth 1 it is exactly greedy decoding: the single kept candidate is the arg-max, and ties
 * go to the lower id in both. Finished hypotheses are collected until an image has `beamWidth` of
 * them (early stopping, as Hugging Face's `early_stopping=True`), or `maxLength` cuts it.
 */
export async function beamSearch(
  session: DecoderSession,
  images: number,
  tokens: SearchTokens,
  options: SearchOptions,
): Promise<Hypothesis[]> {
  const K = options.beamWidth;
  if (session.rows !== images * K) throw new Error(`session has ${session.rows} rows; expected ${images} × ${K}.`);
  const banned = new BannedIds(tokens.banned);
  const beamLogProb = Array.from({ length: images * K }, (_, row) => (row % K === 0 ? 0 : -Infinity));
  let history: number[][] = Array.from({ length: images * K }, () => []);
  let attention: number[][][] = Array.from({ length: images * K }, () => []);
  const finished: Hypothesis[][] = Array.from({ length: images }, () => []);
  const done = new Array<boolean>(images).fill(false);
  let input = new Int32Array(images * K).fill(tokens.start);

  for (let position = 0; done.includes(false); position++) {
    const step = session.step(input, position);
    const [logProbs, weights] = await readStep(step);
    const vocab = logProbs.length / session.rows;
    const grid = weights.length / session.rows;
    const rowAttention = (row: number) => Array.from(weights.subarray(row * grid, (row + 1) * grid));

    const order = Int32Array.from({ length: images * K }, (_, row) => row);
    const nextInput = new Int32Array(images * K).fill(tokens.end);
    const nextHistory = history.slice();
    const nextAttention = attention.slice();
    for (let image = 0; image < images; image++) {
      if (done[image]) continue;
      const live = [];
      for (let beam = 0; beam < K; beam++) {
        const row = image * K + beam;
        if (!Number.isFinite(beamLogProb[row])) continue;
        live.push({ row, beam, logProb: beamLogProb[row]!, repeats: repeatedNgramBans(history[row]!, options.noRepeatNgramSize) });
      }
      let kept = 0;
      const candidates = topCandidates(logProbs, vocab, live, banned.forVocab(vocab), 2 * K);
      for (const [rank, candidate] of candidates.entries()) {
        const parentRow = image * K + candidate.parent;
        const words = history[parentRow]!;
        if (candidate.token === tokens.end) {
          // As in Hugging Face: an end marker only finishes a caption from within the top K ranks,
          // which is what makes beam width 1 identical to greedy decoding.
          if (rank >= K) continue;
          finished[image]!.push({
            tokens: words,
            logProb: candidate.logProb,
            score: rankScore(candidate.logProb, words.length + 1, options.lengthPenalty),
            attention: attention[parentRow]!,
            finished: true,
          });
          continue;
        }
        if (kept === K) continue;
        const row = image * K + kept++;
        order[row] = parentRow;
        nextInput[row] = candidate.token;
        nextHistory[row] = [...words, candidate.token];
        nextAttention[row] = [...attention[parentRow]!, rowAttention(parentRow)];
        beamLogProb[row] = candidate.logProb;
      }
      for (let beam = kept; beam < K; beam++) beamLogProb[image * K + beam] = -Infinity;
      if (finished[image]!.length >= K) done[image] = true;
      else if (position + 1 >= options.maxLength || kept === 0) {
        for (let beam = 0; beam < kept; beam++) {
          const row = image * K + beam;
          finished[image]!.push({
            tokens: nextHistory[row]!,
            logProb: beamLogProb[row]!,
            score: rankScore(beamLogProb[row]!, nextHistory[row]!.length, options.lengthPenalty),
            attention: nextAttention[row]!,
            finished: false,
          });
        }
        done[image] = true;
      }
    }
    history = nextHistory;
    attention = nextAttention;
    input = nextInput;
    if (done.includes(false)) session.reorder(order);
  }
  return finished.map((hypotheses) => best(hypotheses));
}

function best(hypotheses: Hypothesis[]): Hypothesis {
  let top = hypotheses[0]!;
  for (const h of hypotheses) if (h.score > top.score) top = h;
  return top;
}
