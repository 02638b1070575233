// What pycocoevalcap does before scoring: Stanford CoreNLP 3.4.1's PTBTokenizer with -preserveLines -lowerCase
// (ported in ptb-lexer.ts), then dropping the tokens in its punctuation list. Tested equal to the Java tokenizer's
// committed output on 51,710 real COCO captions.
import { ptbTokens } from './ptb-lexer.js';

/**
 * pycocoevalcap's PUNCTUATIONS, verbatim. Its bracket entries are uppercase while -lowerCase makes the tokens
 * lowercase, so "-lrb-" and friends survive into the scored text, as they do in the official evaluation.
 */
const PYCOCOEVALCAP_PUNCTUATION = new Set([
  "''",
  "'",
  '``',
  '`',
  '-LRB-',
  '-RRB-',
  '-LCB-',
  '-RCB-',
  '.',
  '?',
  '!',
  ',',
  ':',
  '-',
  '--',
  '...',
  ';',
]);

/**
 * A caption as pycocoevalcap scores it: PTB tokens, lowercase, its punctuation list dropped, joined by single spaces
 * ("A dog's ball, red." → "a dog 's ball red"). Empty or punctuation-only captions give "".
 */
export function tokenizeCaption(caption: string): string {
  // pycocoevalcap replaces newlines inside a caption by spaces (each caption is one line for -preserveLines).
  return dropPunctuation(ptbTokens(caption.replace(/[\r\n]+/g, ' ')));
}

/**
 * pycocoevalcap's last step on PTB tokens (ours, or the Java tokenizer's output line split on spaces): empty tokens
 * and its punctuation list dropped, the rest joined by single spaces.
 */
export function dropPunctuation(tokens: readonly string[]): string {
  return tokens.filter((token) => token !== '' && !PYCOCOEVALCAP_PUNCTUATION.has(token)).join(' ');
}
