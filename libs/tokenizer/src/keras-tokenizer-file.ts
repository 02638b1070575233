// Reads a tokenizer saved by Keras as a `.keras` archive (Keras 3 format, which Keras 2.13 writes too): a zip with
// `config.json` (a TextVectorization, alone or inside a Sequential) and the vocabulary as an asset
// (`assets/…/text_vectorization/vocabulary.txt`, one token per line, the mask token '' first).
import { readFile, stat } from 'node:fs/promises';
import { strFromU8, unzipSync } from 'fflate';
import { KerasTextVectorizer, SEED_MARKER_WORDS, type KerasStandardize } from './keras-text-vectorization.js';

interface KerasLayerJSON {
  class_name?: string;
  config?: Record<string, unknown> & { layers?: KerasLayerJSON[]; layer?: KerasLayerJSON };
}

/** The first TextVectorization config in a (possibly nested) Keras layer config. */
function findTextVectorization(
  layer: KerasLayerJSON | undefined,
): (Record<string, unknown> & { name?: string }) | null {
  if (!layer) return null;
  if (layer.class_name === 'TextVectorization') return layer.config ?? {};
  for (const child of [...(layer.config?.layers ?? []), layer.config?.layer]) {
    const found = findTextVectorization(child);
    if (found) return found;
  }
  return null;
}

function requireSetting(file: string, config: Record<string, unknown>, key: string, allowed: unknown[]): void {
  if (!allowed.includes(config[key] ?? null)) {
    throw new Error(
      `${file}: TextVectorization ${key}=${JSON.stringify(config[key])} is not supported (imgcap reads ${allowed.map((a) => JSON.stringify(a)).join(' or ')})`,
    );
  }
}

/** What a tokenizer archive may hold, checked before anything is read or inflated (a zip bomb inflates to GBs). */
const MAX_ARCHIVE_BYTES = 256 * 1024 * 1024;
const MAX_ENTRY_BYTES: Readonly<Record<string, number>> = {
  'config.json': 1024 * 1024,
  'vocabulary.txt': 64 * 1024 * 1024,
};

class EntryTooLarge extends Error {}

/** The entries `wanted` picks, after checking the archive's size and each entry's declared inflated size. */
async function readZipEntries(path: string, wanted: (name: string) => boolean): Promise<Record<string, Uint8Array>> {
  const { size } = await stat(path);
  if (size > MAX_ARCHIVE_BYTES)
    throw new Error(`${path}: ${size} bytes, more than a tokenizer archive may be (${MAX_ARCHIVE_BYTES})`);
  const bytes = new Uint8Array(await readFile(path));
  try {
    // fflate asks the filter about each entry, from the zip's directory, before inflating it: the declared size is
    // checked before a byte of the entry is inflated.
    return unzipSync(bytes, {
      filter: (entry) => {
        if (!wanted(entry.name)) return false;
        const cap = MAX_ENTRY_BYTES[entry.name.split('/').pop()!];
        if (cap !== undefined && entry.originalSize > cap)
          throw new EntryTooLarge(
            `${entry.name} inflates to ${entry.originalSize} bytes, more than the ${cap} allowed`,
          );
        return true;
      },
    });
  } catch (error) {
    if (error instanceof EntryTooLarge) throw new Error(`${path}: ${error.message}`);
    throw new Error(`${path} is not a .keras archive (zip): ${(error as Error).message}`);
  }
}

export interface KerasTokenizerOptions {
  /** Vocabulary words that mark a caption's start and end. Default: the Keras project's `start` and `end`. */
  markerWords?: { start: string; end: string };
}

/** Loads `tokenizer.keras` as a `KerasTextVectorizer` that encodes and decodes as the saved layer does. */
export async function loadKerasTokenizer(
  path: string,
  options: KerasTokenizerOptions = {},
): Promise<KerasTextVectorizer> {
  const files = await readZipEntries(path, (name) => name === 'config.json' || name.endsWith('/vocabulary.txt'));
  if (!files['config.json']) throw new Error(`${path}: no config.json; not a .keras archive`);
  const config = findTextVectorization(JSON.parse(strFromU8(files['config.json'])) as KerasLayerJSON);
  if (!config) throw new Error(`${path}: its config.json holds no TextVectorization layer`);
  requireSetting(path, config, 'output_mode', ['int']);
  requireSetting(path, config, 'split', ['whitespace']);
  requireSetting(path, config, 'ngrams', [null]);
  requireSetting(path, config, 'standardize', ['lower_and_strip_punctuation', 'lower', 'strip_punctuation', null]);
  // The layer's own asset; its inner StringLookup (`_lookup_layer/`) keeps the same list.
  const name = config.name ?? 'text_vectorization';
  const assets = Object.keys(files)
    .filter((f) => f.endsWith('/vocabulary.txt'))
    .sort((a, b) => a.length - b.length);
  const asset = assets.find((f) => f.endsWith(`/${name}/vocabulary.txt`)) ?? assets[0];
  if (!asset) throw new Error(`${path}: no vocabulary.txt asset (a TextVectorization saved before adapt()?)`);
  const vocabulary = strFromU8(files[asset]!).split('\n');
  const expected = config['vocabulary_size'];
  if (typeof expected === 'number' && expected !== vocabulary.length) {
    throw new Error(`${path}: ${asset} has ${vocabulary.length} tokens, the config says vocabulary_size ${expected}`);
  }
  const length = config['output_sequence_length'];
  return new KerasTextVectorizer(
    vocabulary,
    (config['standardize'] ?? null) as KerasStandardize,
    typeof length === 'number' ? length : null,
    options.markerWords ?? SEED_MARKER_WORDS,
  );
}
