import type { CaptionTokenizer } from '@imgcap/tokenizer';
import type { CaptionResult } from '../pipeline/image-captioner.js';
import type { Hypothesis, SearchTokens } from './session.js';

/** Where a caption starts and ends, and what it never contains, under `tokenizer`'s vocabulary. */
export function searchTokensOf(tokenizer: Pick<CaptionTokenizer, 'markers' | 'bannedInCaptions'>): SearchTokens {
  return { start: tokenizer.markers.start, end: tokenizer.markers.end, banned: [...tokenizer.bannedInCaptions] };
}

/** Rows × columns of the image grid a word's attention covers: square when the token count is, else one row. */
export function attentionGridSize(gridTokens: number): [number, number] {
  const side = Math.round(Math.sqrt(gridTokens));
  return side * side === gridTokens ? [side, side] : [1, gridTokens];
}

/** A search hypothesis as the result every engine returns: ids and words, caption, scores, attention and its grid. */
export function captionResult(
  h: Hypothesis,
  tokenizer: Pick<CaptionTokenizer, 'decode' | 'idToWord'>,
  gridTokens: number,
): CaptionResult {
  return {
    caption: tokenizer.decode(h.tokens),
    words: h.tokens.map((id) => tokenizer.idToWord(id)),
    ids: h.tokens,
    score: h.score,
    logProb: h.logProb,
    attention: h.attention,
    gridSize: attentionGridSize(gridTokens),
    finished: h.finished,
  };
}
