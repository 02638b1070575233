export {
  SpecialTokens,
  SPECIAL_IDS_NOT_IN_CAPTIONS,
  SPECIAL_TOKEN_STRINGS,
  type SpecialTokenName,
} from './special-tokens.js';
export { standardize, captionWords } from './standardize.js';
export type { CaptionTokenizer, MarkerIds } from './caption-tokenizer.js';
export {
  WordTokenizer,
  TOKENIZER_FORMAT,
  TOKENIZER_VERSION,
  type FitOptions,
  type WordTokenizerJSON,
} from './word-tokenizer.js';
export {
  KerasTextVectorizer,
  kerasSplit,
  kerasStandardize,
  KERAS_STANDARDIZE_MODES,
  KERAS_TOKENIZER_FORMAT,
  SEED_MARKER_WORDS,
  type KerasStandardize,
  type KerasTokenizerJSON,
} from './keras-text-vectorization.js';
export { loadKerasTokenizer, type KerasTokenizerOptions } from './keras-tokenizer-file.js';
export { tokenizerFromJSON } from './tokenizer-json.js';
export { adaptKerasVocabulary, adaptTextVectorization, type KerasAdaptOptions } from './keras-adapt.js';
export { saveKerasTokenizer } from './keras-tokenizer-save.js';
