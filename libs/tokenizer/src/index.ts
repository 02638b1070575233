export { SpecialTokens, SPECIAL_TOKEN_STRINGS, type SpecialTokenName } from './special-tokens.js';
export { standardize, captionWords } from './standardize.js';
export {
  WordTokenizer,
  TOKENIZER_FORMAT,
  TOKENIZER_VERSION,
  type FitOptions,
  type WordTokenizerJSON,
} from './word-tokenizer.js';
