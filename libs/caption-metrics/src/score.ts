import { bleuScores } from './bleu.js';
import { ciderScores } from './cider.js';
import { rougeLScores } from './rouge.js';
import { tokenizeCaption } from './tokenize.js';
import type { CaptionScores, MetricScores, ScoreOptions, ScoredImage } from './types.js';

const DEFAULT_OPTIONS: Required<ScoreOptions> = { tokenize: true };

// How many offending ids an error message lists before it says "and N more".
const IDS_SHOWN = 5;

/**
 * BLEU-1..4, ROUGE-L and CIDEr-D of one candidate caption per image against that image's references, computed as
 * pycocoevalcap computes them. Both records must hold exactly the same image ids.
 */
export function scoreCaptions(
  references: Readonly<Record<string, readonly string[]>>,
  candidates: Readonly<Record<string, string>>,
  options: ScoreOptions = {},
): CaptionScores {
  const { tokenize } = resolveOptions(options);
  const images = pairByImage(references, candidates).map((image): ScoredImage =>
    tokenize
      ? { id: image.id, references: image.references.map(tokenizeCaption), candidate: tokenizeCaption(image.candidate) }
      : image,
  );
  const bleu = bleuScores(images);
  const rouge = rougeLScores(images);
  const cider = ciderScores(images);
  const scoresOf = (i: number): MetricScores => ({
    'BLEU-1': bleu.perImage[i][0],
    'BLEU-2': bleu.perImage[i][1],
    'BLEU-3': bleu.perImage[i][2],
    'BLEU-4': bleu.perImage[i][3],
    'ROUGE-L': rouge[i],
    'CIDEr-D': cider[i],
  });
  return {
    corpus: {
      'BLEU-1': bleu.corpus[0],
      'BLEU-2': bleu.corpus[1],
      'BLEU-3': bleu.corpus[2],
      'BLEU-4': bleu.corpus[3],
      'ROUGE-L': mean(rouge),
      'CIDEr-D': mean(cider),
    },
    perImage: Object.fromEntries(images.map((image, i) => [image.id, scoresOf(i)])),
  };
}

function resolveOptions(options: ScoreOptions): Required<ScoreOptions> {
  const allowed = Object.keys(DEFAULT_OPTIONS);
  const unknown = Object.keys(options).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new Error(`scoreCaptions: unknown option(s) ${unknown.join(', ')}; allowed: ${allowed.join(', ')}`);
  }
  const resolved = { ...DEFAULT_OPTIONS, ...options };
  if (typeof resolved.tokenize !== 'boolean') {
    throw new Error(`scoreCaptions: options.tokenize must be true or false, got ${JSON.stringify(resolved.tokenize)}`);
  }
  return resolved;
}

function pairByImage(
  references: Readonly<Record<string, readonly string[]>>,
  candidates: Readonly<Record<string, string>>,
): ScoredImage[] {
  const referenceIds = Object.keys(references);
  const candidateIds = Object.keys(candidates);
  const withoutCandidate = referenceIds.filter((id) => !Object.hasOwn(candidates, id));
  const withoutReferences = candidateIds.filter((id) => !Object.hasOwn(references, id));
  if (withoutCandidate.length > 0 || withoutReferences.length > 0) {
    const parts = [
      withoutCandidate.length > 0 ? `no candidate for ${listIds(withoutCandidate)}` : '',
      withoutReferences.length > 0 ? `no references for ${listIds(withoutReferences)}` : '',
    ];
    throw new Error(`image ids differ between references and candidates: ${parts.filter(Boolean).join('; ')}`);
  }
  if (referenceIds.length === 0) throw new Error('nothing to score: references and candidates hold no image ids');
  return referenceIds.map((id) => {
    const imageReferences = references[id];
    const candidate = candidates[id];
    if (!Array.isArray(imageReferences) || imageReferences.length === 0) {
      throw new Error(`references for image ${JSON.stringify(id)} must be a non-empty array of strings`);
    }
    const badReference = imageReferences.find((text) => typeof text !== 'string');
    if (badReference !== undefined) {
      throw new Error(`reference of image ${JSON.stringify(id)} is ${JSON.stringify(badReference)}, not a string`);
    }
    if (typeof candidate !== 'string') {
      throw new Error(`candidate of image ${JSON.stringify(id)} is ${JSON.stringify(candidate)}, not a string`);
    }
    return { id, references: imageReferences, candidate };
  });
}

function listIds(ids: readonly string[]): string {
  const shown = ids
    .slice(0, IDS_SHOWN)
    .map((id) => JSON.stringify(id))
    .join(', ');
  return ids.length > IDS_SHOWN ? `${ids.length} images (${shown}, and ${ids.length - IDS_SHOWN} more)` : shown;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
