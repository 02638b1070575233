// The values `fixtures/keras-h5/generate.py` wrote into each weight of its h5py-made Keras files, recomputed here,
// and the fixtures themselves (the large ones are stored gzipped and unpacked to a temporary folder).
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const KERAS_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'keras-h5');

const CYCLE = Array.from({ length: 251 }, (_, i) => ((i * 37) % 251) / 251 - 0.5);
const IMAGENET = { mean: [0.485, 0.456, 0.406], variance: [0.229, 0.224, 0.225] };

/** generate.py's `value_of(name, shape)`: the values of the weight with this whole Keras name. */
export function fixtureValues(name: string, shape: readonly number[]): Float32Array | BigInt64Array {
  const parts = name.split('/');
  const short = parts[parts.length - 1]!.split(':')[0]!;
  const layer = parts.length > 1 ? parts[parts.length - 2]! : '';
  if (layer.startsWith('normalization') && short === 'count') return BigInt64Array.of(0n);
  if (layer.startsWith('normalization') && (short === 'mean' || short === 'variance'))
    return Float32Array.from(IMAGENET[short]);
  const size = shape.reduce((a, b) => a * b, 1);
  const role: (t: number) => number =
    short === 'gamma'
      ? (t) => 1 + 0.2 * t
      : short === 'moving_variance'
        ? (t) => 1 + 0.5 * (t + 0.5)
        : ['beta', 'bias', 'moving_mean'].includes(short)
          ? (t) => 0.1 * t
          : ['total', 'count'].includes(short)
            ? () => 3
            : (t) => 0.2 * t;
  return Float32Array.from({ length: size }, (_, k) => role(CYCLE[(k + name.length) % 251]!));
}

/** A fixture's path, unpacked into a temporary folder first when it is stored as `.gz`. */
export async function kerasFixture(file: string, dir = KERAS_FIXTURES): Promise<string> {
  if (!file.endsWith('.gz')) return join(dir, file);
  const out = join(await mkdtemp(join(tmpdir(), 'imgcap-keras-fixture-')), file.slice(0, -3));
  await writeFile(out, gunzipSync(await readFile(join(dir, file))));
  return out;
}
