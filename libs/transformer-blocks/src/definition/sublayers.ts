import type { BlockSpec } from './block-spec.js';
import type { TensorOps, WeightDeclarer } from './tensor-ops.js';

/** Position-wise feed-forward network: `<scope>_intermediate` (relu) then `<scope>_output`, as keras-hub names them. */
export function declareFeedForward(w: WeightDeclarer, scope: string, hiddenDim: number, intermediateDim: number): void {
  w.dense(`${scope}_intermediate`, hiddenDim, intermediateDim);
  w.dense(`${scope}_output`, intermediateDim, hiddenDim);
}

/** dense(intermediate, relu) → dropout (training only, as in the seed's Keras decoder) → dense(hidden). */
export function feedForward<T>(ops: TensorOps<T>, x: T, scope: string, dropout: number): T {
  const hidden = ops.dropout(ops.relu(ops.dense(x, `${scope}_intermediate`)), dropout);
  return ops.dense(hidden, `${scope}_output`);
}

/**
 * One residual sublayer whose LayerNorm is `norm`. Post-norm (default, as the seed's Keras blocks and keras-hub):
 * `norm(x + dropout(body(x)))`. Pre-norm (`normalizeFirst`): `x + dropout(body(norm(x)))`.
 */
export function residual<T>(ops: TensorOps<T>, x: T, norm: string, spec: BlockSpec, body: (h: T) => T): T {
  const h = body(spec.normalizeFirst ? ops.layerNorm(x, norm, spec.epsilon) : x);
  const sum = ops.add(x, ops.dropout(h, spec.residualDropout));
  return spec.normalizeFirst ? sum : ops.layerNorm(sum, norm, spec.epsilon);
}
