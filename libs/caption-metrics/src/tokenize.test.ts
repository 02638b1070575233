import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { dropPunctuation, tokenizeCaption } from './tokenize.js';

// Real COCO captions and the Java PTBTokenizer 3.4.1's output for each (../shared/data/coco-captions/README.md).
const DATA = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'coco-captions');
/** The Java output as pycocoevalcap keeps it: split on spaces (a U+00A0 inside a fraction token stays), filtered. */
const official = (javaLine: string) => dropPunctuation(javaLine.split(' '));
const json = (path: string) =>
  JSON.parse(path.endsWith('.gz') ? gunzipSync(readFileSync(path)).toString() : readFileSync(path, 'utf8'));

function mismatches(pairs: [string, string][]): string[] {
  return pairs
    .filter(([raw, java]) => tokenizeCaption(raw) !== official(java))
    .map(([raw, java]) => `${JSON.stringify(raw)} → ${tokenizeCaption(raw)} ≠ ${official(java)}`);
}

describe("tokenizeCaption equals pycocoevalcap's tokenization on real captions", () => {
  it("coco-caption's 20,244 captions (misc/hypo.txt → tokenized_hypo.txt)", () => {
    const { raw, java } = json(join(DATA, 'data', 'coco_caption_2015_ptb.json.gz')) as {
      raw: string[];
      java: string[];
    };
    expect(raw).toHaveLength(20_244);
    expect(mismatches(raw.map((r, i) => [r, java[i]!]))).toEqual([]);
  });

  it('all 25,014 COCO val2017 captions', () => {
    const { captions } = json(join(DATA, 'data', 'val2017_captions.json.gz')) as { captions: [number, string][] };
    const { lines } = json(join(DATA, 'cache', 'ptb_val2017_captions.json.gz')) as { lines: string[] };
    expect(captions).toHaveLength(25_014);
    expect(mismatches(captions.map(([, caption], i) => [caption, lines[i]!]))).toEqual([]);
  });

  it.each(['demo126', 'demo1000', 'stress500'])('the %s scoring case, references and candidates', (name) => {
    const data = json(join(DATA, 'data', `${name}.json`)) as { images: { refs: string[]; cand: string }[] };
    const java = json(join(DATA, 'cache', `ptb_${name}.json`)) as { refs: string[][]; cands: string[] };
    const pairs = data.images.flatMap((image, i): [string, string][] => [
      ...image.refs.map((r, j): [string, string] => [r, java.refs[i]![j]!]),
      [image.cand, java.cands[i]!],
    ]);
    expect(mismatches(pairs)).toEqual([]);
  });
});

describe('the PTB rules, one by one', () => {
  it('lowercases and drops the punctuation pycocoevalcap drops', () => {
    expect(tokenizeCaption('Two young , White males are outside near many bushes .')).toBe(
      'two young white males are outside near many bushes',
    );
    expect(tokenizeCaption('"Look!" she said; -- then: left...')).toBe('look she said then left');
    expect(tokenizeCaption('')).toBe('');
    expect(tokenizeCaption('  ... !  ')).toBe('');
  });

  it("splits clitics (REDAUX, n't), also after a space, with Unicode apostrophes", () => {
    expect(tokenizeCaption("A dog's ball, red.")).toBe("a dog 's ball red");
    expect(tokenizeCaption("They don't know it's John’s.")).toBe("they do n't know it 's john 's");
    expect(tokenizeCaption("an old car from the 1970 's")).toBe("an old car from the 1970 's");
  });

  it('keeps apostrophes PTB keeps inside words (APOWORD) and splits the others', () => {
    expect(tokenizeCaption("four o'clock, hors d'oeuvre, Pe'e road, graffiti'ed truck")).toBe(
      "four o'clock hors d'oeuvre pe'e road graffiti'ed truck",
    );
    expect(tokenizeCaption("a po'boy")).toBe('a po boy');
  });

  it('keeps the period of abbreviations and acronyms, also before a comma, and drops it after other words', () => {
    expect(tokenizeCaption('Water St. and Morgan Rd. in Washington D.C. with a T.V. e.g. etc.')).toBe(
      'water st. and morgan rd. in washington d.c. with a t.v. e.g. etc.',
    );
    expect(tokenizeCaption('ready to bat., then home.')).toBe('ready to bat. then home');
    expect(tokenizeCaption('W. Centre st. and 12th Ave S.')).toBe('w. centre st. and 12th ave s');
    expect(tokenizeCaption('A person I. A hood')).toBe('a person i a hood');
    expect(tokenizeCaption('a car wash.')).toBe('a car wash');
  });

  it('splits commas and semicolons everywhere but inside numbers, and symbols off words', () => {
    expect(tokenizeCaption('a sink,toilet and 1,000 bikes; it;s #41 b=very oj> elephant/')).toBe(
      'a sink toilet and 1,000 bikes it s # 41 b = very oj > elephant /',
    );
    expect(tokenizeCaption('snowshoes/ skis on 8th Ave/CTH D.')).toBe('snowshoes / skis on 8th ave/cth d');
  });

  it('escapes brackets (lowercased, so they survive the filter) and keeps runs of ! and ?', () => {
    expect(tokenizeCaption('ANA (All Nippon) [x] {y} leave!!! curb?? ok!')).toBe(
      'ana -lrb- all nippon -rrb- -lsb- x -rsb- -lcb- y -rcb- leave !!! curb ?? ok',
    );
  });

  it('treats Unicode quotes and dashes as their ASCII forms', () => {
    expect(tokenizeCaption('\u201cStop\u201d \u2018here\u2019 on the beach\u2014kite and 5\u20136 dogs')).toBe(
      'stop here on the beach kite and 5 6 dogs',
    );
  });

  it('splits assimilations, times from am/pm and double dashes; joins a fraction to its number with U+00A0', () => {
    expect(tokenizeCaption('it cannot be 5:54pm on the beach--kite')).toBe('it can not be 5:54 pm on the beach kite');
    expect(tokenizeCaption('22 3/4 street and 3/4 mile')).toBe('22\u00a03/4 street and 3/4 mile');
  });
});
