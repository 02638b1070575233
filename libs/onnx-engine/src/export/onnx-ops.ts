// The block definitions of @imgcap/transformer-blocks/definition, run on ONNX graph nodes: each operation adds nodes
// to a graph, and weights are read from a bundle under a scope (`decoder_block/` + `self_attention/query`).
import { weightPath, type TensorOps } from '@imgcap/transformer-blocks/definition';
import type { GraphBuilder } from '../onnx/graph-builder.js';

/** A trained weight read from a bundle: row-major values and its shape. */
export interface WeightValue {
  values: Float32Array;
  shape: number[];
}

/** Adds each bundle weight to the graph the first time a node uses it. */
export class GraphWeights {
  private readonly added = new Set<string>();

  constructor(
    private readonly g: GraphBuilder,
    private readonly weights: ReadonlyMap<string, WeightValue>,
  ) {}

  has(name: string): boolean {
    return this.weights.has(name);
  }

  use(name: string): string {
    const weight = this.weights.get(name);
    if (!weight)
      throw new Error(`bundle weight "${name}" not found; the bundle has: ${[...this.weights.keys()].join(', ')}.`);
    if (!this.added.has(name)) {
      this.g.weight(name, weight.values, weight.shape);
      this.added.add(name);
    }
    return name;
  }
}

/** `TensorOps` whose tensors are node outputs of one graph; no dropout (nothing trains in an exported graph). */
export class OnnxOps implements TensorOps<string> {
  constructor(
    private readonly g: GraphBuilder,
    private readonly w: GraphWeights,
    private readonly scope = '',
  ) {}

  /** The same graph and weights, with weight paths below `scope` (a layer of the bundle's model). */
  within(scope: string): OnnxOps {
    return new OnnxOps(this.g, this.w, weightPath(this.scope, scope));
  }

  /** `x · kernel + bias` (MatMul broadcasts over the leading axes); kernels are stored as matrices (see export). */
  dense(x: string, name: string): string {
    const path = weightPath(this.scope, name);
    const product = this.g.op('MatMul', [x, this.w.use(`${path}/kernel`)]);
    return this.w.has(`${path}/bias`) ? this.g.op('Add', [product, this.w.use(`${path}/bias`)]) : product;
  }

  layerNorm(x: string, name: string, epsilon: number): string {
    const path = weightPath(this.scope, name);
    const gamma = this.w.use(weightPath(path, 'gamma'));
    return this.g.op('LayerNormalization', [x, gamma, this.w.use(weightPath(path, 'beta'))], {
      axis: -1,
      epsilon: { float: epsilon },
    });
  }

  add(a: string, b: string): string {
    return this.g.op('Add', [a, b]);
  }

  mul(a: string, b: string): string {
    return this.g.op('Mul', [a, b]);
  }

  scale(x: string, factor: number): string {
    return this.g.op('Mul', [x, this.g.scalar(factor)]);
  }

  complement(x: string): string {
    return this.g.op('Sub', [this.g.scalar(1), x]);
  }

  relu(x: string): string {
    return this.g.op('Relu', [x]);
  }

  softmax(x: string): string {
    return this.g.op('Softmax', [x], { axis: -1 });
  }

  /** Rank-4 operands (attention heads): `transposeB` swaps the last two axes of b. */
  matMul(a: string, b: string, transposeB = false): string {
    return this.g.op('MatMul', [a, transposeB ? this.g.op('Transpose', [b], { perm: [0, 1, 3, 2] }) : b]);
  }

  splitHeads(x: string, numHeads: number, headDim: number): string {
    const shaped = this.g.op('Reshape', [x, this.g.constant([0, 0, numHeads, headDim], 'int64')]);
    return this.g.op('Transpose', [shaped], { perm: [0, 2, 1, 3] });
  }

  mergeHeads(x: string, numHeads: number, headDim: number): string {
    const transposed = this.g.op('Transpose', [x], { perm: [0, 2, 1, 3] });
    return this.g.op('Reshape', [transposed, this.g.constant([0, 0, numHeads * headDim], 'int64')]);
  }

  dropout(x: string): string {
    return x;
  }

  /** A bundle weight as a graph value, by its full path. */
  weight(path: string): string {
    return this.w.use(weightPath(this.scope, path));
  }
}
