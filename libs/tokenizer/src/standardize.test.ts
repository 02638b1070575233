import { describe, expect, it } from 'vitest';
import { captionWords, standardize } from './standardize.js';
import { SPECIAL_TOKEN_STRINGS } from './special-tokens.js';

describe('standardize', () => {
  it('lowercases, strips the seed punctuation set and collapses whitespace', () => {
    expect(standardize('  Two young , White males\tare outside near many bushes .  ')).toBe(
      'two young white males are outside near many bushes',
    );
  });

  it('strips every character of the Keras strip set', () => {
    expect(standardize('a!"#$%&\'()*+,-./:;=?@[\\]^_`{|}~b')).toBe('ab');
  });

  it('keeps < and > as the seed did', () => {
    expect(standardize('<start> x')).toBe('<start> x');
  });

  it('reduces every special token string to a plain word, so none can appear in a caption', () => {
    for (const special of SPECIAL_TOKEN_STRINGS) expect(standardize(special)).not.toBe(special);
  });

  it('captionWords gives [] for punctuation-only text', () => {
    expect(captionWords(' . , ')).toEqual([]);
    expect(captionWords('A dog .')).toEqual(['a', 'dog']);
  });
});
