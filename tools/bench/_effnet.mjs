import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { selectBackend } from '@imgcap/tf-runtime';
import { createFeatureExtractor } from '@imgcap/vision-backbone';
const { buildLayersModelGraph } = await import('../../libs/onnx-engine/dist/export/layers-model-graph.js');
await selectBackend({ backend: 'wasm', log: () => {} });
for (const [variant, size] of [['b0', 224], ['b1', 240]]) {
  const ex = await createFeatureExtractor({ kind: 'efficientnet', variant, imageSize: size });
  const session = await ort.InferenceSession.create(Buffer.from(buildLayersModelGraph(ex.network, size)), { extra: { session: { intra_op: { allow_spinning: '0' } } } });
  for (const n of [1, 8]) {
    const px = new Float32Array(n * size * size * 3).map(() => Math.random() * 255);
    const x = tf.tensor4d(px, [n, size, size, 3]);
    const time = async (f) => { await f(); const ts = []; for (let i = 0; i < 3; i++) { const t = performance.now(); await f(); ts.push(performance.now() - t); } return ts.sort((a,b)=>a-b)[1]; };
    const tfjsMs = await time(async () => { const y = ex.extract(x); await y.data(); y.dispose(); });
    const onnxMs = await time(() => session.run({ images: new ort.Tensor('float32', px, [n, size, size, 3]) }));
    console.log(variant, size, 'batch', n, 'tfjs', tfjsMs.toFixed(0), 'ms', (n*1000/tfjsMs).toFixed(1), 'img/s | onnx', onnxMs.toFixed(0), 'ms', (n*1000/onnxMs).toFixed(1), 'img/s', (tfjsMs/onnxMs).toFixed(2)+'x');
    x.dispose();
  }
  ex.dispose(); await session.release();
}
