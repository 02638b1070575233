import { describe, expect, it } from 'vitest';
import { tokenizeCaption } from './tokenize.js';

describe('tokenizeCaption', () => {
  it('lowercases and drops the punctuation PTB removes', () => {
    expect(tokenizeCaption('Two young , White males are outside near many bushes .')).toBe(
      'two young white males are outside near many bushes',
    );
    expect(tokenizeCaption('"Look!" she said; -- then: left...')).toBe('look she said then left');
    expect(tokenizeCaption('Am I a boy?')).toBe('am i a boy');
  });

  it('splits clitics as PTB does and keeps their apostrophe', () => {
    expect(tokenizeCaption("A dog's ball, red.")).toBe("a dog 's ball red");
    expect(tokenizeCaption("They don't know it's John’s.")).toBe("they do n't know it 's john 's");
  });

  it('keeps punctuation inside a word', () => {
    expect(tokenizeCaption('A man in a t-shirt holds 3.5 kg at 5 p.m.')).toBe('a man in a t-shirt holds 3.5 kg at 5 p.m');
  });

  it('turns empty and punctuation-only captions into the empty string', () => {
    expect(tokenizeCaption('')).toBe('');
    expect(tokenizeCaption('  ... !  ')).toBe('');
  });
});
