import { describe, expect, it } from 'vitest';
import { METRIC_NAMES, scoreCaptions } from './index.js';
import { expectClose } from './test-helpers/expect-close.js';
import { dropPunctuation } from './tokenize.js';
import { GOLDEN_CANDIDATES, GOLDEN_REFERENCES, PYCOCOEVALCAP_SCORES } from './test-helpers/pycocoevalcap-golden.js';

describe('scoreCaptions', () => {
  it("matches pycocoevalcap's corpus and per-image numbers on pre-tokenized captions", () => {
    const scores = scoreCaptions(GOLDEN_REFERENCES, GOLDEN_CANDIDATES, { tokenize: false });
    for (const metric of METRIC_NAMES) {
      expectClose(scores.corpus[metric], PYCOCOEVALCAP_SCORES.corpus[metric]);
      for (const [id, expected] of Object.entries(PYCOCOEVALCAP_SCORES.perImage)) {
        expectClose(scores.perImage[id][metric], expected[metric]);
      }
    }
  });

  it('reproduces a published COCOEvalCap run on raw captions (tokenized here)', () => {
    // Output of language_evaluation.CocoEvaluator (pycocoevalcap with PTBTokenizer) on these captions, as
    // recorded in a public course repository (jhc659/DLCV, hw3/evaluate_test.py).
    const scores = scoreCaptions(
      { a: ['am i a boy ?'], b: ['is she a girl ?'] },
      { a: 'i am a boy', b: 'she is a girl' },
    );
    expectClose(scores.corpus['BLEU-1'], 0.9999999997500004);
    expectClose(scores.corpus['BLEU-2'], 0.5773502690332603);
    expectClose(scores.corpus['BLEU-3'], 4.3679023223468616e-6);
    expectClose(scores.corpus['BLEU-4'], 1.4287202142987477e-8);
    expectClose(scores.corpus['ROUGE-L'], 0.75);
    expectClose(scores.corpus['CIDEr-D'], 3.333333333333333);
  });

  it('tokenizes by default and scores the strings as given with tokenize: false', () => {
    const references = { a: ['A dog runs .'], b: ['a cat sleeps'] };
    const candidates = { a: 'a dog runs', b: 'a cat sleeps' };
    expectClose(scoreCaptions(references, candidates).perImage.a['BLEU-1'], 1);
    // Untokenized, "A" ≠ "a" and "." is a word: 2 of 3 candidate words match a 4-word reference.
    expectClose(
      scoreCaptions(references, candidates, { tokenize: false }).perImage.a['BLEU-1'],
      (2 / 3) * Math.exp(1 - 4 / 3),
    );
  });

  it('returns finite numbers for empty, one-word and repeated-word candidates and uneven references', () => {
    const scores = scoreCaptions(
      { e: ['a dog runs'], one: ['a dog', 'the dog runs on the grass'], rep: ['dog'], none: ['...'] },
      { e: '', one: 'dog', rep: 'dog dog dog dog', none: '!' },
    );
    const all = [scores.corpus, ...Object.values(scores.perImage)].flatMap((s) => Object.values(s));
    expect(all).toHaveLength(5 * METRIC_NAMES.length);
    for (const value of all) expect(Number.isFinite(value), String(value)).toBe(true);
  });

  it('names the ids that only one side has', () => {
    expect(() => scoreCaptions({ a: ['x'], b: ['y'] }, { a: 'x', c: 'z' })).toThrow(
      'image ids differ between references and candidates: no candidate for "b"; no references for "c"',
    );
    const many = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`img${i}`, ['x']]));
    expect(() => scoreCaptions(many, {})).toThrow(
      'no candidate for 8 images ("img0", "img1", "img2", "img3", "img4", and 3 more)',
    );
  });

  it('rejects empty input, empty reference lists, non-string captions and unknown options', () => {
    expect(() => scoreCaptions({}, {})).toThrow('nothing to score');
    expect(() => scoreCaptions({ a: [] }, { a: 'x' })).toThrow('references for image "a" must be a non-empty array');
    expect(() => scoreCaptions({ a: ['x'] }, { a: 3 as unknown as string })).toThrow('candidate of image "a" is 3');
    expect(() => scoreCaptions({ a: ['x'] }, { a: 'x' }, { lowercase: true } as never)).toThrow(
      'unknown option(s) lowercase; allowed: tokenize',
    );
  });
});

describe('scoreCaptions on raw real captions', () => {
  it.each(['demo126', 'demo1000', 'stress500'])(
    "%s: tokenizing here gives exactly the scores of the Java tokenizer's output (the official pipeline)",
    async (name) => {
      const { readFileSync } = await import('node:fs');
      const { join } = await import('node:path');
      const dir = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'coco-captions');
      const data = JSON.parse(readFileSync(join(dir, 'data', `${name}.json`), 'utf8')) as {
        images: { id: string; refs: string[]; cand: string }[];
      };
      const java = JSON.parse(readFileSync(join(dir, 'cache', `ptb_${name}.json`), 'utf8')) as {
        refs: string[][];
        cands: string[];
      };
      const clean = (line: string) => dropPunctuation(line.split(' '));
      const raw = scoreCaptions(
        Object.fromEntries(data.images.map((im) => [im.id, im.refs])),
        Object.fromEntries(data.images.map((im) => [im.id, im.cand])),
      );
      const official = scoreCaptions(
        Object.fromEntries(data.images.map((im, i) => [im.id, java.refs[i]!.map(clean)])),
        Object.fromEntries(data.images.map((im, i) => [im.id, clean(java.cands[i]!)])),
        { tokenize: false },
      );
      expect(raw.corpus).toEqual(official.corpus);
    },
  );
});
