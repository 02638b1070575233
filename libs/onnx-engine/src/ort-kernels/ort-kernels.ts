import * as ort from 'onnxruntime-node';
import type { GemmProblem, NativeKernels } from '@imgcap/tf-runtime';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { SyncOrtSession } from '../engine/sync-session.js';

/** Which graph a problem needs: one per layout, transpose flags, bias and activation; sizes stay symbolic. */
interface Variant {
  /** `matrix`: one Gemm over 2-D operands (a batch of left matrices against one right matrix folds into rows). */
  form: 'matrix' | 'batched';
  transposeA: boolean;
  transposeB: boolean;
  bias: boolean;
  relu: boolean;
}

/**
 * ONNX Runtime's CPU kernels (MLAS GEMM with AVX2/AVX-512, several times wasm SIMD's throughput here; a vectorised
 * exp) behind tf-runtime's `NativeKernels`. One tiny graph per variant, built on first use; inputs and outputs are
 * the wasm heap's memory, so nothing is copied on the JS side.
 */
export function createOrtKernels(options: { threads?: number } = {}): NativeKernels {
  const threads = options.threads ?? 1;
  const sessions = new Map<string, SyncOrtSession>();
  const sessionFor = (key: string, graph: () => Uint8Array) => {
    let session = sessions.get(key);
    if (!session) {
      session = new SyncOrtSession(graph(), {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        // Idle pool threads would spin through the wasm work between products, taking a core from it.
        extra: { session: { intra_op: { allow_spinning: '0' } } },
      });
      sessions.set(key, session);
    }
    return session;
  };
  return {
    description: `onnxruntime-node ${ort.env.versions.node} (MLAS), ${threads} thread${threads > 1 ? 's' : ''}`,
    matMul(p: GemmProblem) {
      const form = p.batchB === 1 && (p.batchA === 1 || !p.transposeA) ? 'matrix' : 'batched';
      const variant: Variant = {
        form,
        transposeA: p.transposeA,
        transposeB: p.transposeB,
        bias: !!p.bias,
        relu: p.relu,
      };
      const session = sessionFor(JSON.stringify(variant), () => gemmGraph(variant));
      session.runInto(feedsFor(p, form), { y: outputFor(p, form) });
    },
    exp(input: Float32Array, out: Float32Array) {
      const x = new ort.Tensor('float32', input, [input.length]);
      sessionFor('exp', expGraph).runInto({ x }, { y: new ort.Tensor('float32', out, [out.length]) });
    },
  };
}

function expGraph(): Uint8Array {
  const g = new GraphBuilder('imgcap_native_exp');
  g.output(g.op('Exp', [g.input('x', 'float32', ['n'])]), 'y', 'float32', ['n']);
  return g.toBytes();
}

function feedsFor(p: GemmProblem, form: Variant['form']): Record<string, ort.Tensor> {
  const [aRows, aCols] = p.transposeA ? [p.k, p.m] : [p.m, p.k];
  const [bRows, bCols] = p.transposeB ? [p.n, p.k] : [p.k, p.n];
  const feeds: Record<string, ort.Tensor> =
    form === 'matrix'
      ? {
          a: new ort.Tensor('float32', p.a, [p.batchA * aRows, aCols]),
          b: new ort.Tensor('float32', p.b, [bRows, bCols]),
        }
      : {
          a: new ort.Tensor('float32', p.a, [p.batchA, aRows, aCols]),
          b: new ort.Tensor('float32', p.b, [p.batchB, bRows, bCols]),
        };
  if (p.bias) feeds.bias = new ort.Tensor('float32', p.bias, [p.n]);
  return feeds;
}

function outputFor(p: GemmProblem, form: Variant['form']): ort.Tensor {
  const batch = Math.max(p.batchA, p.batchB);
  return new ort.Tensor('float32', p.out, form === 'matrix' ? [batch * p.m, p.n] : [batch, p.m, p.n]);
}

/** y = op(a)·op(b) (+ bias) (relu): Gemm for 2-D operands, Transpose + MatMul (broadcasting a batch of 1) for 3-D. */
function gemmGraph(v: Variant): Uint8Array {
  const g = new GraphBuilder('imgcap_native_matmul');
  const rank = v.form === 'matrix' ? 2 : 3;
  const dims = (...names: string[]) => (rank === 2 ? names : ['batch_' + names[0], ...names]);
  const a = g.input('a', 'float32', dims('a_rows', 'a_cols'));
  const b = g.input('b', 'float32', dims('b_rows', 'b_cols'));
  const bias = v.bias ? g.input('bias', 'float32', ['n']) : null;
  let y: string;
  if (v.form === 'matrix') {
    const attrs = { transA: v.transposeA ? 1 : 0, transB: v.transposeB ? 1 : 0 };
    y = g.op('Gemm', bias ? [a, b, bias] : [a, b], attrs);
  } else {
    const lastTwo = (x: string, transpose: boolean) => (transpose ? g.op('Transpose', [x], { perm: [0, 2, 1] }) : x);
    y = g.op('MatMul', [lastTwo(a, v.transposeA), lastTwo(b, v.transposeB)]);
    if (bias) y = g.op('Add', [y, bias]);
  }
  if (v.relu) y = g.op('Relu', [y]);
  g.output(y, 'y', 'float32', rank === 2 ? ['m', 'n'] : ['batch', 'm', 'n']);
  return g.toBytes();
}
