import { describe, expect, it } from 'vitest';
import { formatSampleCaption } from './sample-text.js';

describe('formatSampleCaption', () => {
  it("labels the model's caption and every reference, references aligned under the first", () => {
    expect(formatSampleCaption('img_7', 'a red circle', ['a red circle on blue', 'one red circle'])).toBe(
      '  img_7\n' +
        '    model:      a red circle\n' +
        '    references: a red circle on blue\n' +
        '                one red circle\n',
    );
  });

  it('prints no references line for an image without references', () => {
    expect(formatSampleCaption('x', 'a cat', [])).toBe('  x\n    model:      a cat\n');
  });
});
