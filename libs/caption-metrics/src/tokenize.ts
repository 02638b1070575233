// An approximation of what pycocoevalcap does before scoring: Stanford PTBTokenizer (-lowerCase -preserveLines),
// then dropping the tokens in its punctuation list ('' ' `` ` -LRB- -RRB- -LCB- -RCB- . ? ! , : - -- ... ;).
// We do not run Java. What we do: lowercase; split the clitics PTB splits ("dog's" -> "dog 's",
// "don't" -> "do n't"); peel punctuation off the start and end of each whitespace-separated word and drop it
// (inner punctuation stays, as in "t-shirt", "3.5", "a.m."). Known differences from PTB: brackets are dropped
// (PTB keeps [ ] as -LSB-/-RSB-), and symbols such as $ % & / stay attached to their word.

// Characters peeled off word edges: the PTB punctuation list, plus quotes and brackets in their raw form.
const EDGE_PUNCTUATION = new Set([...'.,?!:;\'"`()[]{}-']);

// Clitics that PTB makes tokens of; they start with an apostrophe that must not be peeled away.
const CLITIC = /^(?:'s|'re|'ve|'ll|'d|'m|n't)$/;
const NOT_CLITIC = /([a-z0-9])(n't)(?![a-z0-9])/g;
const APOSTROPHE_CLITIC = /([a-z0-9])('s|'re|'ve|'ll|'d|'m)(?![a-z0-9])/g;

/**
 * A caption as pycocoevalcap scores it: lowercase tokens without punctuation, joined by single spaces
 * ("A dog's ball, red." -> "a dog 's ball red"). Empty or punctuation-only captions give "".
 */
export function tokenizeCaption(caption: string): string {
  const spaced = caption
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(NOT_CLITIC, '$1 $2')
    .replace(APOSTROPHE_CLITIC, '$1 $2');
  return spaced
    .split(/\s+/)
    .map(stripEdgePunctuation)
    .filter((word) => word.length > 0)
    .join(' ');
}

function stripEdgePunctuation(word: string): string {
  let end = word.length;
  while (end > 0 && EDGE_PUNCTUATION.has(word[end - 1])) end--;
  // Trailing marks go first so that "'s," is recognised as the clitic "'s" and keeps its apostrophe.
  if (CLITIC.test(word.slice(0, end))) return word.slice(0, end);
  let start = 0;
  while (start < end && EDGE_PUNCTUATION.has(word[start])) start++;
  return word.slice(start, end);
}
