import { readFile } from 'node:fs/promises';

/** Reference captions per image id, as `scoreCaptions` takes them. */
export type ReferenceCaptions = Record<string, string[]>;
/** One candidate caption per image id. */
export type CandidateCaptions = Record<string, string>;

interface KarpathySentence {
  raw?: unknown;
  tokens?: unknown;
}
interface KarpathyImage {
  filename?: unknown;
  split?: unknown;
  sentences?: unknown;
}

/** Reads and parses a JSON file; either failure becomes one line naming the file. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * References from `{ "<id>": ["caption", …] }` or from a Karpathy dataset JSON (`{ images: [{ filename, split,
 * sentences: [{ raw, tokens }] }] }`, id = filename, optionally one split). Karpathy captions come from `raw` when
 * the scorer tokenizes and from `tokens` joined by spaces when it takes pre-tokenized text.
 */
export function parseReferences(
  json: unknown,
  file: string,
  split: string | undefined,
  tokenize: boolean,
): ReferenceCaptions {
  if (isRecord(json) && Array.isArray(json.images)) return parseKarpathy(json.images, file, split, tokenize);
  if (split !== undefined) {
    throw new Error(
      `--split ${split} needs a Karpathy-format references file ({ images: [...] }); ${file} is an id → captions map`,
    );
  }
  if (!isRecord(json) || Array.isArray(json)) {
    throw new Error(`${file}: expected { "<id>": ["caption", …] } or a Karpathy dataset JSON ({ images: [...] })`);
  }
  for (const [id, captions] of Object.entries(json)) {
    if (!Array.isArray(captions) || !captions.every((caption) => typeof caption === 'string')) {
      throw new Error(`${file}: references of ${JSON.stringify(id)} must be an array of strings`);
    }
  }
  return json as ReferenceCaptions;
}

function parseKarpathy(
  images: unknown[],
  file: string,
  split: string | undefined,
  tokenize: boolean,
): ReferenceCaptions {
  const references: ReferenceCaptions = {};
  const splitsSeen = new Set<string>();
  images.forEach((value, index) => {
    const entry: KarpathyImage = isRecord(value) ? value : {};
    if (typeof entry.filename !== 'string' || !Array.isArray(entry.sentences)) {
      throw new Error(`${file}: images[${index}] needs a string "filename" and a "sentences" array`);
    }
    splitsSeen.add(String(entry.split));
    if (split !== undefined && entry.split !== split) return;
    references[entry.filename] = entry.sentences.map((sentence: unknown, i) =>
      karpathyCaption(isRecord(sentence) ? sentence : {}, tokenize, `${file}: images[${index}].sentences[${i}]`),
    );
  });
  if (Object.keys(references).length === 0) {
    const seen = [...splitsSeen].sort().join(', ');
    throw new Error(
      `${file}: no images${split === undefined ? '' : ` in split ${JSON.stringify(split)}`}; splits present: ${seen || 'none'}`,
    );
  }
  return references;
}

function karpathyCaption(sentence: KarpathySentence, tokenize: boolean, where: string): string {
  const raw = typeof sentence.raw === 'string' ? sentence.raw : undefined;
  const tokens =
    Array.isArray(sentence.tokens) && sentence.tokens.every((t) => typeof t === 'string')
      ? sentence.tokens.join(' ')
      : undefined;
  const caption = tokenize ? (raw ?? tokens) : (tokens ?? raw);
  if (caption === undefined) throw new Error(`${where} has neither a string "raw" nor a string-array "tokens"`);
  return caption;
}

/** Candidates from `{ "<id>": "caption" }` or COCO results `[{ "image_id": …, "caption": "…" }]`. */
export function parseCandidates(json: unknown, file: string): CandidateCaptions {
  if (Array.isArray(json)) return parseCocoResults(json, file);
  if (!isRecord(json)) {
    throw new Error(`${file}: expected { "<id>": "caption" } or COCO results [{ "image_id": …, "caption": "…" }]`);
  }
  for (const [id, caption] of Object.entries(json)) {
    if (typeof caption !== 'string') throw new Error(`${file}: candidate of ${JSON.stringify(id)} must be a string`);
  }
  return json as CandidateCaptions;
}

function parseCocoResults(results: unknown[], file: string): CandidateCaptions {
  const candidates: CandidateCaptions = {};
  results.forEach((result, index) => {
    const { image_id: imageId, caption } = isRecord(result) ? result : {};
    if ((typeof imageId !== 'string' && typeof imageId !== 'number') || typeof caption !== 'string') {
      throw new Error(`${file}: [${index}] needs "image_id" (string or number) and a string "caption"`);
    }
    const id = String(imageId);
    // pycocoevalcap scores one caption per image; a second one would silently replace or be dropped.
    if (Object.hasOwn(candidates, id))
      throw new Error(`${file}: image_id ${JSON.stringify(id)} has more than one caption`);
    candidates[id] = caption;
  });
  return candidates;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
