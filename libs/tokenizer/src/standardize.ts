// The seed's Keras TextVectorization strip set. `<` and `>` are kept on purpose (as the seed did),
// while `[` and `]` are stripped, which is what keeps `[START]`-style markers out of caption words.
const STRIPPED_CHARACTERS = /[!"#$%&'()*+,\-./:;=?@[\\\]^_`{|}~]/g;

/** Lowercases, removes the seed's punctuation set, collapses whitespace and trims. */
export function standardize(text: string): string {
  return text.toLowerCase().replace(STRIPPED_CHARACTERS, '').replace(/\s+/g, ' ').trim();
}

/** Splits a caption into standardized words; an empty or punctuation-only caption gives `[]`. */
export function captionWords(text: string): string[] {
  const clean = standardize(text);
  return clean === '' ? [] : clean.split(' ');
}
