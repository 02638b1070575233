import { describeBackboneWeights, type ImageCaptioner } from '@imgcap/captioner/bundle';
import { resolveSearchOptions, type SearchOptions } from '@imgcap/captioner/generation';
import { loadCaptioner } from '@imgcap/onnx-engine/load';
import type { InferenceEngine } from '@imgcap/onnx-engine/engine-choice';
import type { ModelSettings } from './options.js';

/** A captioner ready to run, with what was chosen for it; the caller disposes `captioner`. */
export interface LoadedModel {
  captioner: ImageCaptioner;
  /** The engine that runs (`--engine auto` resolved). */
  engine: InferenceEngine;
  /** The tfjs backend now active. */
  backend: string;
  /** The search options every batch is captioned with. */
  search: SearchOptions;
}

/**
 * The bundle on the engine `--engine` and `--backend` choose (@imgcap/onnx-engine/load's loadCaptioner, as serve
 * loads it), with the search options checked against the model: every eval command that captions
 * (`eval --model …`, `eval caption-files`) gets its model here, so both run identically.
 */
export async function loadModel(
  settings: ModelSettings,
  bundleDir: string,
  log: (line: string) => void,
): Promise<LoadedModel> {
  const { captioner, engine, backend } = await loadCaptioner(bundleDir, {
    engine: settings.engine,
    backend: settings.backend,
    log,
  });
  try {
    const search = searchOptions(captioner, settings);
    log(`backbone: ${await describeBackboneWeights(bundleDir, captioner.manifest)}`);
    return { captioner, engine, backend, search };
  } catch (error) {
    captioner.dispose();
    throw error;
  }
}

/** The search options actually used; --max_length is checked against this model here, where its limit is known. */
function searchOptions(captioner: ImageCaptioner, settings: ModelSettings): SearchOptions {
  const limit = captioner.manifest.config.seqLength - 1;
  if (settings.maxLength !== undefined && settings.maxLength > limit) {
    throw new Error(
      `--max_length ${settings.maxLength} is too long for this model: its captions hold at most ${limit} ids (seqLength ${limit + 1})`,
    );
  }
  const { maxLength, lengthPenalty, noRepeatNgramSize } = settings;
  const decoding = settings.sample
    ? { beamWidth: 1, sample: true, temperature: settings.temperature, topK: settings.topK, seed: settings.sampleSeed }
    : { beamWidth: settings.beam };
  return resolveSearchOptions({ ...decoding, maxLength, lengthPenalty, noRepeatNgramSize }, limit);
}

/** How captions were decoded, for the output directory's name and for people. */
export function decodingOf(search: SearchOptions): { dir: string; text: string } {
  if (search.sample) return { dir: 'sample', text: `sampled, temperature ${search.temperature}` };
  return { dir: `beam${search.beamWidth}`, text: `beam ${search.beamWidth}` };
}
