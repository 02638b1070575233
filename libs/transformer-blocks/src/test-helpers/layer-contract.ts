import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { input, model, type layers } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';

type Layer = layers.Layer;
type LayerClass = tf.serialization.SerializableConstructor<Layer> & { className: string };

/** Everything one layer's contract test needs; inputs are made fresh for each check. */
export interface LayerContract {
  readonly create: () => Layer;
  readonly inputs: () => tf.Tensor | tf.Tensor[];
  readonly outputShape: number[];
  readonly weightCount: number;
}

/** Training on `cpu`: wasm lacks the gradient of gather until libs/tf-runtime registers it. */
export function useCpuBackend(): void {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });
}

function asList(x: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(x) ? x : [x];
}

function applyOne(layer: Layer, x: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown> = {}): tf.Tensor {
  return layer.apply(x, kwargs) as tf.Tensor;
}

/** A fixed random target, so "loss goes down" means the weights moved towards something. */
function lossFn(layer: Layer, x: tf.Tensor | tf.Tensor[], target: tf.Tensor): () => tf.Scalar {
  return () => tf.mean(tf.square(tf.sub(applyOne(layer, x, { training: true }), target))) as tf.Scalar;
}

function trainableVariables(layer: Layer): tf.Variable[] {
  return layer.trainableWeights.map((w) => w.read() as tf.Variable);
}

export async function expectClose(actual: tf.Tensor, expected: tf.Tensor, tolerance = 1e-5): Promise<void> {
  expect(actual.shape).toEqual(expected.shape);
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(actual, expected))));
  expect((await diff.data())[0]).toBeLessThanOrEqual(tolerance);
  diff.dispose();
}

/**
 * Registers the checks every layer of this package must pass: output shape, weight count, config
 * round-trip (same outputs with copied weights), use inside a functional model, a training step
 * that lowers the loss and moves every weight, and no tensor leak per call or per training step.
 */
export function describeLayerContract(title: string, contract: LayerContract): void {
  describe(`${title} (layer contract)`, () => {
    useCpuBackend();

    it('produces the documented output shape and weight count', () => {
      const layer = contract.create();
      const x = contract.inputs();
      const y = applyOne(layer, x);
      expect(y.shape).toEqual(contract.outputShape);
      expect(layer.weights).toHaveLength(contract.weightCount);
      expect(new Set(layer.weights.map((w) => w.originalName)).size).toBe(contract.weightCount);
      tf.dispose([y, x]);
    });

    it('round-trips its config: fromConfig(getConfig()) with copied weights gives the same outputs', async () => {
      const layer = contract.create();
      const x = contract.inputs();
      const expected = applyOne(layer, x);
      const cls = layer.constructor as LayerClass;
      expect(tf.serialization.SerializationMap.getMap().classNameMap[cls.className]).toBeDefined();
      const config = JSON.parse(JSON.stringify(layer.getConfig())) as tf.serialization.ConfigDict;
      const copy = tf.serialization.Serializable.fromConfig(cls, config) as Layer;
      expect(copy.getConfig()).toEqual(layer.getConfig());
      tf.dispose(applyOne(copy, x));
      copy.setWeights(layer.getWeights());
      const actual = applyOne(copy, x);
      await expectClose(actual, expected, 0);
      tf.dispose([expected, actual, x]);
    });

    it('works inside a functional tf.LayersModel with the same outputs as an imperative call', async () => {
      const layer = contract.create();
      const x = contract.inputs();
      const expected = applyOne(layer, x);
      const symbolic = asList(x).map((t) => input({ shape: t.shape.slice(1) }));
      const m = model({
        inputs: symbolic,
        outputs: layer.apply(symbolic.length === 1 ? symbolic[0] : symbolic) as never,
      });
      const actual = m.predict(x) as tf.Tensor;
      await expectClose(actual, expected, 1e-6);
      tf.dispose([expected, actual, x]);
    });

    it('one optimizer step lowers the loss and changes every trainable weight', async () => {
      const layer = contract.create();
      const x = contract.inputs();
      const target = tf.tidy(() => tf.randomNormal(contract.outputShape, 0, 1, 'float32', 7));
      const loss = lossFn(layer, x, target);
      tf.dispose(tf.tidy(loss)); // builds the weights
      const before = layer.getWeights(true).map((w) => w.clone());
      const optimizer = tf.train.adam(0.01);
      const first = optimizer.minimize(loss, true, trainableVariables(layer)) as tf.Scalar;
      const second = tf.tidy(loss);
      expect((await second.data())[0]).toBeLessThan((await first.data())[0]);
      const after = layer.getWeights(true);
      after.forEach((w, i) =>
        expect(
          tf.tidy(() => tf.any(tf.notEqual(w, before[i])).dataSync()[0]),
          layer.trainableWeights[i].originalName,
        ).toBe(1),
      );
      tf.dispose([x, target, first, second, ...before]);
      optimizer.dispose();
    });

    it('leaks no tensor per call or per training step', () => {
      const layer = contract.create();
      const x = contract.inputs();
      const target = tf.tidy(() => tf.randomNormal(contract.outputShape, 0, 1, 'float32', 7));
      const optimizer = tf.train.adam(0.01);
      const loss = lossFn(layer, x, target);
      tf.dispose(tf.tidy(loss)); // builds the weights
      tf.dispose(optimizer.minimize(loss, true, trainableVariables(layer)) as tf.Scalar); // creates weights and optimizer slots
      const before = tf.memory().numTensors;
      tf.dispose(applyOne(layer, x));
      tf.dispose(optimizer.minimize(loss, true, trainableVariables(layer)) as tf.Scalar);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, target]);
      optimizer.dispose();
    });
  });
}
