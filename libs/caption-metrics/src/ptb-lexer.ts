// Stanford CoreNLP 3.4.1's PTBTokenizer, as pycocoevalcap runs it (`-preserveLines -lowerCase`), for the text
// captions contain. Rules are named after PTBLexer's macros; at each position the longest match wins and ties go
// to the earlier rule, as in JFlex. Abbreviation matching is caseless (the lexer is %caseless).

/** Titles and other abbreviations that keep their period (ABTITLE, ABPTIT, ABCOMP, ABNUM, months, days, states). */
const ABBREVIATIONS = new Set(
  [
    // ABTITLE
    'mr mrs ms miss dr drs prof profs sen sens rep reps atty attys lt col gen messrs gov govs adm rev maj sgt cpl pvt mt capt st ste ave pres lieut hon brig cmdr comdr pfc spc supt supts det m mm mme mmes mlle mlles',
    // ABPTIT, ABCOMP, ABNUM, ABBREV1's extras
    'jr sr bros blvd rd esq inc co cos corp pty ptys ltd plc bancorp dept bhd assn univ intl sys no nos prop ph tel est ext sq ft etc al seq vs alex wm jos cie cf treas',
    // ABMONTH, ABDAYS
    'jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thurs fri',
    // ABSTATE
    // (Wash and Ore are not among 3.4.1's: "a car wash." and "an ore." lose their period in its output.)
    'calif mass conn fla ill mich pa va ariz tenn mo md wis minn ind okla kan kans ga colo ky del ala la nev neb ark miss vt wyo tex',
  ].flatMap((group) => group.split(' ')),
);

/** Brackets as PTB escapes them (then lowercased by -lowerCase, so the filter's -LRB- never matches). */
const BRACKETS: Record<string, string> = {
  '(': '-lrb-',
  ')': '-rrb-',
  '[': '-lsb-',
  ']': '-rsb-',
  '{': '-lcb-',
  '}': '-rcb-',
};

/** ASSIMILATIONS: split in two, as "cannot" → "can not". */
const ASSIMILATIONS: Record<string, [string, string]> = {
  cannot: ['can', 'not'],
  gonna: ['gon', 'na'],
  gotta: ['got', 'ta'],
  lemme: ['lem', 'me'],
  gimme: ['gim', 'me'],
  wanna: ['wan', 'na'],
};

/** A rule's match at a position: how many characters it takes and the tokens they make. */
type Match = { length: number; tokens: string[] };
type Rule = (text: string, at: number) => Match | null;

const L = '\\p{L}\\p{M}';
const LN = `${L}\\p{N}`;

/** A rule from a sticky regex; `emit` maps the matched text to tokens (null: the rule does not apply here). */
function regexRule(source: string, emit: (text: string, after: string) => string[] | null = (t) => [t]): Rule {
  const pattern = new RegExp(source, 'iuy');
  return (text, at) => {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (!match) return null;
    const tokens = emit(match[0], text.slice(at + match[0].length));
    return tokens ? { length: match[0].length, tokens } : null;
  };
}

/** WORD: letters and digits, inner single hyphens, periods, slashes or ampersands between them (t-shirt, ave/cth). */
const WORD = new RegExp(`[${LN}]+(?:[-./&][${LN}]+)*`, 'uy');

/** A word, with "n't" left for the clitic (do n't) and "cannot"-style assimilations split (can not). */
const wordRule: Rule = (text, at) => {
  WORD.lastIndex = at;
  const match = WORD.exec(text);
  if (!match) return null;
  let word = match[0];
  if (/n$/i.test(word) && word.length > 1 && /^['\u2019]t(?![\p{L}\p{N}])/iu.test(text.slice(at + word.length)))
    word = word.slice(0, -1);
  const assimilated = ASSIMILATIONS[word.toLowerCase()];
  if (assimilated)
    return { length: word.length, tokens: [word.slice(0, assimilated[0].length), word.slice(assimilated[0].length)] };
  return { length: word.length, tokens: [word] };
};

/** Clitics: 's 're 've 'll 'd 'm and n't (REDAUX, SREDAUX), also after a space ("the 1970 's"). */
const cliticRule: Rule = (text, at) => {
  const pattern = /(?:n['\u2019]t|['\u2019](?:s|re|ve|ll|d|m))(?![\p{L}\p{N}])/iuy;
  pattern.lastIndex = at;
  const match = pattern.exec(text);
  return match ? { length: match[0].length, tokens: [match[0].replace('\u2019', "'")] } : null;
};

/**
 * The lexer's rules; at each position the longest match wins, ties going to the earlier rule (JFlex's choice).
 */
const RULES: Rule[] = [
  // FRAC: a whole number and a fraction are one token, the space made non-breaking (22 3/4, 22-3/4, 3/4).
  regexRule('(?:\\d{1,4}[- \u00a0])?\\d{1,4}\\/\\d{1,4}', (t) => [t.replace(' ', '\u00a0')]),
  // ACRONYM: letters joined by periods, the final period kept (d.c., u.s., e.g., t.v.).
  regexRule(`[${L}](?:\\.[${L}])+\\.`),
  // ABBREV1/ABBREV2: a known abbreviation keeps its period, also at the end of a line.
  regexRule(`[${L}]+\\.`, (t) => (ABBREVIATIONS.has(t.slice(0, -1).toLowerCase()) ? [t] : null)),
  // A word whose period is followed at once by , ; or : keeps the period (PTB reads it as an abbreviation: "bat.,").
  regexRule(`[${LN}]+\\.(?=[,;:])`),
  // An initial (one letter and a period) keeps the period when more text follows on the line; not "I."
  // (the pronoun ending a sentence).
  regexRule(`[${L}]\\.(?=\\s+\\S)`, (t) => (t[0] === 'I' || t[0] === 'i' ? null : [t])),
  // APOWORD: apostrophes inside a word that PTB keeps: after one letter (o'clock, d'arnaud, d'oeuvre) and between
  // vowels (ho'ohu, graffiti'ed); any other apostrophe splits the word (po ' boy).
  regexRule(`(?<![${LN}])[${L}]['\u2019][${L}]{2,}|[${L}]*[aeiouy]['\u2019][aeiou][${L}]*`),
  cliticRule,
  // NUM: digits with inner separators (3.5, 1,000, 5:54); letters after it are another token (5:54pm → 5:54 pm).
  regexRule('\\d+(?:[.,:]\\d+)+'),
  wordRule,
  // LDOTS, and runs of ! or ? as one token each.
  regexRule('\\.{3,}|\u2026'),
  regexRule('[!?]+'),
  // A run of dashes: one token ("--" between words; en and em dashes too).
  regexRule('-+|[\u2013\u2014]+', (t) => [t === '-' ? '-' : '--']),
  regexRule('[()[\\]{}]', (t) => [BRACKETS[t]!]),
  // Quotes become `` '' ` ' (all filtered later).
  regexRule("\"|''|``|[\u201c\u201d\u201e]", () => ["''"]),
  regexRule("['`\u2018\u2019]", () => ["'"]),
  // Everything else is a token of its own character: , ; : # = > < $ % + * / and the rest.
  regexRule('\\S'),
];

/** The tokens of one line, as PTBTokenizer writes them with -lowerCase (brackets escaped). */
export function ptbTokens(line: string): string[] {
  const tokens: string[] = [];
  const space = /\s+/uy;
  let at = 0;
  while (at < line.length) {
    space.lastIndex = at;
    if (space.exec(line)) {
      at = space.lastIndex;
      continue;
    }
    let best: Match | null = null;
    for (const rule of RULES) {
      const match = rule(line, at);
      if (match && (!best || match.length > best.length)) best = match;
    }
    tokens.push(...best!.tokens);
    at += best!.length;
  }
  return tokens.map((token) => token.toLowerCase());
}
