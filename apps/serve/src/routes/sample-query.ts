import type { CaptionOptions } from '../caption-service-types.js';
import { HttpError } from '../errors.js';

/** The query fields that ask for a sampled caption (diverse captions) instead of the likeliest one. */
export interface SampleQuery {
  beam?: number;
  sample?: '0' | '1' | 'true' | 'false';
  temperature?: number;
  top_k?: number;
  seed?: number;
}

export const sampleQueryProperties = {
  sample: {
    type: 'string',
    enum: ['0', '1', 'true', 'false'],
    description: 'Draw the caption from the model (diverse captions) instead of searching for the likeliest',
  },
  temperature: {
    type: 'number',
    minimum: 0,
    maximum: 10,
    description: 'With sample: 1 = the model, < 1 sharper, > 1 more varied, 0 = greedy (default 1)',
  },
  top_k: {
    type: 'integer',
    minimum: 0,
    maximum: 100000,
    description: 'With sample: draw from the k likeliest words; 0 = all (default 0)',
  },
  seed: {
    type: 'integer',
    minimum: 0,
    maximum: 4294967295,
    description: 'With sample: the same seed, model and image give the same caption (default: random)',
  },
} as const;

/** The sampling options of a request, or undefined for search; contradictory fields are a 400 naming them. */
export function sampleOptionsOf(query: SampleQuery): CaptionOptions['sample'] {
  const sample = query.sample === '1' || query.sample === 'true';
  if (!sample) {
    const stray = (['temperature', 'top_k', 'seed'] as const).filter((name) => query[name] !== undefined);
    if (stray.length > 0) {
      throw new HttpError(400, 'bad_option', `${stray.join(', ')} only apply with sample=1`);
    }
    return undefined;
  }
  if (query.beam !== undefined && query.beam > 1) {
    throw new HttpError(
      400,
      'bad_option',
      `sample=1 and beam=${query.beam} do not combine: sampling draws, beam searches`,
    );
  }
  return {
    temperature: query.temperature ?? 1,
    topK: query.top_k ?? 0,
    ...(query.seed !== undefined ? { seed: query.seed } : {}),
  };
}
