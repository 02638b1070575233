// Reads the weights of a Keras model straight from Keras's own files, with h5wasm (HDF5 compiled to wasm):
// - Keras 2 `save_weights` / applications files (`efficientnetb0_notop.h5`…): root attribute `layer_names`, one
//   group per layer with attribute `weight_names`, datasets at `<layer>/<weight name>`; a whole-model `.h5`
//   (`model.save`) holds the same under `model_weights/`.
// - Keras 3 `.weights.h5`, and Keras 2.13's v3 layout inside `.keras` archives: `layers/<layer>/vars/<i>`
//   (`_layer_checkpoint_dependencies/<layer>/vars/<i>` in 2.13), variables by position, unnamed.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import h5wasm from 'h5wasm/node';

/** One stored variable: its values (float32, or the integer array Keras used, e.g. Normalization's count). */
export interface StoredVariable {
  /** Keras's short name (`kernel`, `gamma`, `moving_mean`…), or null where the layout stores none (v3). */
  name: string | null;
  /** The whole Keras weight name (`transformer_encoder_block/multi_head_attention/query/kernel:0`), or null (v3). */
  fullName: string | null;
  shape: number[];
  values: Float32Array | Int32Array | BigInt64Array | Float64Array;
}

/** Variables per layer name, in Keras's variable order. */
export type KerasLayerWeights = Map<string, StoredVariable[]>;

type H5Group = InstanceType<typeof h5wasm.Group>;
type H5File = InstanceType<typeof h5wasm.File>;

/** `stem_conv/kernel:0` → `kernel`; `model/block1a_se_reduce/bias:0` → `bias`. */
function shortName(weightName: string): string {
  return weightName.replace(/:\d+$/, '').split('/').pop()!;
}

/**
 * One chunk of a string-list attribute as h5wasm returns it. Keras 2 stores `weight_names` with `attrs[name] = list`:
 * names as fixed-length byte strings (or variable-length UTF-8 when given `str`), and a layer without weights as
 * `[]`, which h5py writes as an empty float64 array: that is an empty list, not one empty name.
 */
function chunkStrings(value: unknown, name: string): string[] {
  if (typeof value === 'string') return [value];
  if (value instanceof Uint8Array) return [new TextDecoder().decode(value)];
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    if ((value as unknown as ArrayLike<unknown>).length === 0) return [];
    throw new Error(`attribute '${name}' holds numbers, not names`);
  }
  if (Array.isArray(value)) return value.flatMap((item) => chunkStrings(item, name));
  throw new Error(`attribute '${name}' is not a list of names`);
}

/** A string-list attribute, joined from Keras's chunks (`layer_names0`, `layer_names1`… past HDF5's 64 KiB header). */
function stringListAttribute(group: H5Group, name: string): string[] | null {
  const attrs = group.attrs as Record<string, { value: unknown }>;
  const chunks = attrs[name]
    ? [attrs[name]]
    : Object.keys(attrs)
        .filter((k) => new RegExp(`^${name}\\d+$`).test(k))
        .sort((a, b) => Number(a.slice(name.length)) - Number(b.slice(name.length)))
        .map((k) => attrs[k]!);
  if (chunks.length === 0) return null;
  return chunks.flatMap((chunk) => chunkStrings(chunk.value, name));
}

function readVariable(group: H5Group, path: string, fullName: string | null): StoredVariable {
  const name = fullName === null ? null : shortName(fullName);
  const dataset = group.get(path) as InstanceType<typeof h5wasm.Dataset> | null;
  if (!dataset || !(dataset instanceof h5wasm.Dataset)) throw new Error(`dataset '${path}' is missing`);
  const values = dataset.value as StoredVariable['values'] | number | bigint;
  const shape = (dataset.shape ?? []) as number[];
  // A scalar (Normalization's count) reads as a plain number or bigint.
  if (typeof values === 'bigint') return { name, fullName, shape, values: BigInt64Array.of(values) };
  if (typeof values === 'number') return { name, fullName, shape, values: Float64Array.of(values) };
  return { name, fullName, shape, values };
}

/** Keras 2: `layer_names` → groups → `weight_names` → datasets. */
function readLegacyLayout(root: H5Group, layerNames: string[]): KerasLayerWeights {
  const layers: KerasLayerWeights = new Map();
  for (const layer of layerNames) {
    const group = root.get(layer) as H5Group | null;
    if (!group) throw new Error(`layer '${layer}' is listed in layer_names but has no group`);
    const weightNames = stringListAttribute(group, 'weight_names') ?? [];
    layers.set(
      layer,
      weightNames.map((weightName) => readVariable(group, weightName, weightName)),
    );
  }
  return layers;
}

/** Keras 3 (and Keras 2.13's `.keras`): `<layers group>/<layer>/vars/<index>`. */
function readVarsLayout(layersGroup: H5Group): KerasLayerWeights {
  const layers: KerasLayerWeights = new Map();
  for (const layer of layersGroup.keys()) {
    const vars = (layersGroup.get(layer) as H5Group).get('vars') as H5Group | null;
    const indices = vars
      ? vars
          .keys()
          .map(Number)
          .sort((a, b) => a - b)
      : [];
    layers.set(
      layer,
      indices.map((i) => readVariable(vars!, String(i), null)),
    );
  }
  return layers;
}

function readOpenFile(file: H5File, path: string): KerasLayerWeights {
  const modelWeights = file.get('model_weights') as H5Group | null;
  for (const root of [file as unknown as H5Group, modelWeights].filter((g): g is H5Group => g != null)) {
    const layerNames = stringListAttribute(root, 'layer_names');
    if (layerNames) return readLegacyLayout(root, layerNames);
  }
  for (const name of ['layers', '_layer_checkpoint_dependencies']) {
    const group = file.get(name) as H5Group | null;
    if (group) return readVarsLayout(group);
  }
  throw new Error(
    `${path} is an HDF5 file but not Keras weights: no 'layer_names' attribute (Keras 2 save_weights), no 'model_weights' group (Keras 2 model.save) and no 'layers' group (Keras 3)`,
  );
}

/**
 * h5wasm, with HDF5's errors thrown as JavaScript errors instead of printed: a damaged file must give the user one
 * clear line, not dozens of `HDF5-DIAG` lines on stderr.
 */
export async function quietH5wasm(): Promise<typeof h5wasm> {
  const module = await h5wasm.ready;
  module.activate_throwing_error_handler();
  return h5wasm;
}

/** The gist of an HDF5 error stack: its first "minor:" reason (e.g. "Address of object past end of allocation"). */
function hdf5Reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const minor = /minor: ([^\n]+)/.exec(message)?.[1]?.trim();
  return minor ?? message.split('\n')[0]!.trim();
}

/** Opens an HDF5 file with h5wasm and reads its Keras layers; a file that is not HDF5 is a clear error. */
async function readH5(path: string): Promise<KerasLayerWeights> {
  await quietH5wasm();
  const head = await readFile(path).then((bytes) => bytes.subarray(0, 8));
  if (head.toString('latin1') !== '\x89HDF\r\n\x1a\n')
    throw new Error(`${path} is not an HDF5 file (no HDF5 signature)`);
  let file: H5File;
  try {
    file = new h5wasm.File(path, 'r');
  } catch (error) {
    throw new Error(`${path}: HDF5 could not open it (truncated or damaged?): ${hdf5Reason(error)}`);
  }
  try {
    return readOpenFile(file, path);
  } catch (error) {
    const reason = /HDF5-DIAG|minor:/.test((error as Error).message)
      ? `HDF5 could not read it (truncated or damaged?): ${hdf5Reason(error)}`
      : (error as Error).message;
    throw new Error(`${path}: ${reason}`);
  } finally {
    file.close();
  }
}

class EntryTooLarge extends Error {}

/** Larger than any EfficientNet's weights (B7: 258 MB) by far, and within what one Node buffer holds. */
const MAX_ARCHIVE_WEIGHTS_BYTES = 2 ** 31 - 1;

/** A `.keras` archive's weights (`model.weights.h5` inside the zip), read from a temporary copy. */
async function readKerasArchive(path: string): Promise<KerasLayerWeights> {
  let entries: Record<string, Uint8Array>;
  try {
    // fflate asks the filter about each entry, from the zip's directory, before inflating it (a zip bomb inflates
    // to GBs): the declared size is refused first.
    entries = unzipSync(new Uint8Array(await readFile(path)), {
      filter: (f) => {
        if (f.name !== 'model.weights.h5') return false;
        if (f.originalSize > MAX_ARCHIVE_WEIGHTS_BYTES)
          throw new EntryTooLarge(
            `model.weights.h5 inflates to ${f.originalSize} bytes, more than the ${MAX_ARCHIVE_WEIGHTS_BYTES} allowed`,
          );
        return true;
      },
    });
  } catch (error) {
    if (error instanceof EntryTooLarge) throw new Error(`${path}: ${error.message}`);
    throw new Error(`${path} is not a .keras archive (zip): ${(error as Error).message}`);
  }
  const weights = entries['model.weights.h5'];
  if (!weights) throw new Error(`${path} has no model.weights.h5`);
  const dir = await mkdtemp(join(tmpdir(), 'imgcap-keras-'));
  try {
    await writeFile(join(dir, 'model.weights.h5'), weights);
    return await readH5(join(dir, 'model.weights.h5'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** True for paths this module reads: `.h5`, `.hdf5`, `.weights.h5` and `.keras` files. */
export function isKerasWeightsFile(path: string): boolean {
  return /\.(h5|hdf5|keras)$/i.test(path);
}

/** The variables of every layer in a Keras weights file (see the layouts above). */
export async function readKerasWeightsFile(path: string): Promise<KerasLayerWeights> {
  return /\.keras$/i.test(path) ? readKerasArchive(path) : readH5(path);
}
