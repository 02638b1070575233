/**
 * Reserved ids at the bottom of every vocabulary. Their display strings contain `[` and `]`, which
 * `standardize` strips, so no caption word can ever produce or collide with them.
 */
export const SpecialTokens = { pad: 0, unknown: 1, start: 2, end: 3 } as const;

export type SpecialTokenName = keyof typeof SpecialTokens;

/** Reserved ids a caption never contains: padding, the start marker and `[UNK]` (no word of a caption). */
export const SPECIAL_IDS_NOT_IN_CAPTIONS: readonly number[] = [
  SpecialTokens.pad,
  SpecialTokens.start,
  SpecialTokens.unknown,
];

/** Display strings of the special tokens, indexed by id. */
export const SPECIAL_TOKEN_STRINGS = ['[PAD]', '[UNK]', '[START]', '[END]'] as const;

export const SPECIAL_TOKEN_COUNT = SPECIAL_TOKEN_STRINGS.length;
