// Which weights a bundle's backbone carries, said in one line for eval, serve and caption-files: ImageNet (a file
// Keras publishes, known by the MD5 Keras pins), weights from elsewhere, or a seeded random initialisation.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileMd5, publishedKerasWeightsFile } from '@imgcap/vision-backbone';
import type { BundleManifest } from './manifest.js';

export async function describeBackboneWeights(bundleDir: string, manifest: BundleManifest): Promise<string> {
  const { id, weights } = manifest.backbone;
  if (id.startsWith('patch')) return `${id}: raw pixel patches, no pretrained weights`;
  if (!weights) return `${id}: seeded random initialisation, not ImageNet weights (its features carry little meaning)`;
  const path = join(bundleDir, weights);
  if ((await stat(path)).isDirectory()) return `${id}: weights converted by tensorflowjs_converter (${weights}/)`;
  const md5 = await fileMd5(path);
  const published = publishedKerasWeightsFile(md5);
  if (published) return `${id}: ImageNet weights, Keras's ${published} (MD5 ${md5})`;
  const imported = (manifest.metadata as { imported_from?: { weights?: string } } | undefined)?.imported_from?.weights;
  return imported
    ? `${id}: the CNN of the imported Keras model ${imported} (${weights}, MD5 ${md5})`
    : `${id}: weights from ${weights} (MD5 ${md5}, not a file Keras publishes)`;
}
