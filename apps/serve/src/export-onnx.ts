// `node apps/serve/dist/export-onnx.js BUNDLE`: writes the bundle's ONNX export into BUNDLE/onnx and exits. The
// Docker image runs it at build time, so a container never has to write into its model (mounted read-only, or
// under a read-only root filesystem); run it once beside a bundle you mount the same way.
import { defaultOnnxDir, exportBundleToOnnx, readCurrentOnnxManifest } from '@imgcap/onnx-engine/export';
import { readBundleManifest } from '@imgcap/captioner/bundle';
import { selectBackend } from '@imgcap/tf-runtime';

const [bundleDir] = process.argv.slice(2);
if (!bundleDir) {
  console.error('usage: node apps/serve/dist/export-onnx.js BUNDLE_DIR');
  process.exit(2);
}
try {
  await selectBackend({ backend: 'wasm', log: () => {} });
  const target = defaultOnnxDir(bundleDir);
  const current = await readCurrentOnnxManifest(target, await readBundleManifest(bundleDir));
  if (!current) await exportBundleToOnnx(bundleDir, target);
  console.log(JSON.stringify({ bundle: bundleDir, onnx: target, exported: current === null }));
} catch (error) {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
