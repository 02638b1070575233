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

/** Each row's beam: its log-probability (−∞ when empty), its words so far and their attention. */
interface Beams {
  logProb: number[];
  history: number[][];
  attention: number[][][];
}

/** What one decoding step gives every row, and where the next step's rows come from. */
interface StepContext {
  K: number;
  tokens: SearchTokens;
  options: SearchOptions;
  banned: BannedIds;
  logProbs: Float32Array;
  weights: Float32Array;
  vocab: number;
  grid: number;
  /** The beams before this step (read), and the rows being filled for the next one (written). */
  beams: Beams;
  next: { order: Int32Array; input: Int32Array; history: number[][]; attention: number[][][] };
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
  const beams: Beams = {
    logProb: Array.from({ length: images * K }, (_, row) => (row % K === 0 ? 0 : -Infinity)),
    history: Array.from({ length: images * K }, () => []),
    attention: Array.from({ length: images * K }, () => []),
  };
  const finished: Hypothesis[][] = Array.from({ length: images }, () => []);
  const done = new Array<boolean>(images).fill(false);
  let input = new Int32Array(images * K).fill(tokens.start);
  for (let position = 0; done.includes(false); position++) {
    const [logProbs, weights] = await readStep(session.step(input, position));
    const next = {
      order: Int32Array.from({ length: images * K }, (_, row) => row),
      input: new Int32Array(images * K).fill(tokens.end),
      history: beams.history.slice(),
      attention: beams.attention.slice(),
    };
    const context: StepContext = {
      K,
      tokens,
      options,
      banned,
      logProbs,
      weights,
      vocab: logProbs.length / session.rows,
      grid: weights.length / session.rows,
      beams,
      next,
    };
    for (let image = 0; image < images; image++) {
      if (!done[image]) done[image] = advanceImage(context, image, position, finished[image]!);
    }
    beams.history = next.history;
    beams.attention = next.attention;
    input = next.input;
    if (done.includes(false)) session.reorder(next.order);
  }
  return finished.map((hypotheses) => best(hypotheses));
}

/** Extends one image's beams by one token, collecting the captions that end; returns whether the image is done. */
function advanceImage(ctx: StepContext, image: number, position: number, finished: Hypothesis[]): boolean {
  const { K, tokens, options, beams, next } = ctx;
  const live = [];
  for (let beam = 0; beam < K; beam++) {
    const row = image * K + beam;
    if (!Number.isFinite(beams.logProb[row])) continue;
    live.push({
      row,
      beam,
      logProb: beams.logProb[row]!,
      repeats: repeatedNgramBans(beams.history[row]!, options.noRepeatNgramSize),
    });
  }
  let kept = 0;
  const candidates = topCandidates(ctx.logProbs, ctx.vocab, live, ctx.banned.forVocab(ctx.vocab), 2 * K);
  for (const [rank, candidate] of candidates.entries()) {
    const parentRow = image * K + candidate.parent;
    const words = beams.history[parentRow]!;
    if (candidate.token === tokens.end) {
      // As in Hugging Face: an end marker only finishes a caption from within the top K ranks,
      // which is what makes beam width 1 identical to greedy decoding.
      if (rank < K) finished.push(hypothesis(words, candidate.logProb, beams.attention[parentRow]!, true, options, 1));
      continue;
    }
    if (kept === K) continue;
    const row = image * K + kept++;
    next.order[row] = parentRow;
    next.input[row] = candidate.token;
    next.history[row] = [...words, candidate.token];
    next.attention[row] = [
      ...beams.attention[parentRow]!,
      Array.from(ctx.weights.subarray(parentRow * ctx.grid, (parentRow + 1) * ctx.grid)),
    ];
    beams.logProb[row] = candidate.logProb;
  }
  for (let beam = kept; beam < K; beam++) beams.logProb[image * K + beam] = -Infinity;
  if (finished.length >= K) return true;
  if (position + 1 < options.maxLength && kept > 0) return false;
  // Cut by maxLength (or nothing left to extend): the live beams are the unfinished captions.
  for (let beam = 0; beam < kept; beam++) {
    const row = image * K + beam;
    finished.push(hypothesis(next.history[row]!, beams.logProb[row]!, next.attention[row]!, false, options, 0));
  }
  return true;
}

/** A caption; its rank score counts the end marker as a word when there is one (`extra`). */
function hypothesis(
  tokens: number[],
  logProb: number,
  attention: number[][],
  done: boolean,
  options: SearchOptions,
  extra: number,
): Hypothesis {
  return {
    tokens,
    logProb,
    score: rankScore(logProb, tokens.length + extra, options.lengthPenalty),
    attention,
    finished: done,
  };
}

function best(hypotheses: Hypothesis[]): Hypothesis {
  let top = hypotheses[0]!;
  for (const h of hypotheses) if (h.score > top.score) top = h;
  return top;
}
