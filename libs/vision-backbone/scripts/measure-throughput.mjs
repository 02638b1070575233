// Forward throughput of B0 @224 and B1 @240 at batch 8 on tfjs wasm (single-threaded in Node).
// Run after `npm run build`: node scripts/measure-throughput.mjs [repeats]
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { benchBackbone } from '@imgcap/vision-backbone/bench';

const repeats = Number(process.argv[2] ?? 3);
await tf.setBackend('wasm');
for (const variant of ['b0', 'b1']) {
  const wall = await benchBackbone(variant, 8, { repeats });
  const cpu = await benchBackbone(variant, 8, { repeats, clock: 'cpu' });
  console.log(
    `efficientnet-${variant} batch 8 on ${tf.getBackend()}: ${wall.toFixed(2)} images/s (wall), ` +
      `${cpu.toFixed(2)} images per CPU-second`,
  );
}
