import { describe, expect, it } from 'vitest';
import type { BlockSpec } from './block-spec.js';
import { decoderBlock, decoderBlockStep, declareDecoderBlock } from './decoder.js';
import { declareEncoderBlock, encoderBlock } from './encoder.js';
import { declareSeedEncoderBlock, seedEncoderBlock } from './seed-encoder.js';
import type { DenseOptions, TensorOps, WeightDeclarer } from './tensor-ops.js';

// The definitions run on any TensorOps: here a third implementation that writes each result as an expression, so the
// order of sublayers, where norms and dropouts sit and which weights are used can be read off without an engine.
const exprOps: TensorOps<string> = {
  dense: (x, name) => `dense[${name}](${x})`,
  layerNorm: (x, name, epsilon) => `norm[${name},${epsilon}](${x})`,
  add: (a, b) => `(${a} + ${b})`,
  mul: (a, b) => `(${a} * ${b})`,
  scale: (x, factor) => `(${x} * ${factor})`,
  complement: (x) => `(1 - ${x})`,
  relu: (x) => `relu(${x})`,
  softmax: (x) => `softmax(${x})`,
  matMul: (a, b, transposeB = false) => `matmul(${a}, ${b}${transposeB ? 'ᵀ' : ''})`,
  splitHeads: (x, heads, dim) => `split${heads}x${dim}(${x})`,
  mergeHeads: (x, heads, dim) => `merge${heads}x${dim}(${x})`,
  dropout: (x, rate) => (rate > 0 ? `drop${rate}(${x})` : x),
};

/** The weights a definition declares, in order, with their stored shapes. */
function declared(declare: (w: WeightDeclarer) => void): string[] {
  const names: string[] = [];
  declare({
    dense: (name: string, inputDim: number, units: number, options: DenseOptions = {}) =>
      names.push(`${name} ${JSON.stringify(options.stored?.kernel ?? [inputDim, units])}`),
    layerNorm: (name: string, dim: number) => names.push(`${name} [${dim}]`),
  });
  return names;
}

const POST_NORM: BlockSpec = {
  numHeads: 2,
  headDim: 4,
  epsilon: 1e-5,
  normalizeFirst: false,
  residualDropout: 0,
  attentionDropout: 0,
  feedForwardDropout: 0,
  outputDropout: 0,
};

describe('the block definitions, on an expression-writing TensorOps', () => {
  it('declare their weights in the saved order (seeded initialisation draws per weight index)', () => {
    expect(
      declared((w) => declareEncoderBlock(w, POST_NORM, { hidden: 8, intermediate: 16, kerasLayout: false })),
    ).toEqual([
      'self_attention/query [8,8]',
      'self_attention/key [8,8]',
      'self_attention/value [8,8]',
      'self_attention/attention_output [8,8]',
      'self_attention_norm [8]',
      'feedforward_intermediate [8,16]',
      'feedforward_output [16,8]',
      'feedforward_norm [8]',
    ]);
    const decoder = (encoderDim: number | null) =>
      declared((w) =>
        declareDecoderBlock(w, POST_NORM, { hidden: 8, encoderDim, intermediate: 16, kerasLayout: true }),
      );
    expect(decoder(12)).toEqual([
      'self_attention/query [8,2,4]',
      'self_attention/key [8,2,4]',
      'self_attention/value [8,2,4]',
      'self_attention/attention_output [2,4,8]',
      'self_attention_norm [8]',
      'cross_attention/query [8,2,4]',
      'cross_attention/key [12,2,4]',
      'cross_attention/value [12,2,4]',
      'cross_attention/attention_output [2,4,8]',
      'cross_attention_norm [8]',
      'feedforward_intermediate [8,16]',
      'feedforward_output [16,8]',
      'feedforward_norm [8]',
    ]);
    expect(decoder(null).some((name) => name.startsWith('cross_attention'))).toBe(false);
    const seed = { ...POST_NORM, headDim: 8 };
    expect(declared((w) => declareSeedEncoderBlock(w, seed, { channels: 6, embedDim: 8, kerasLayout: true }))).toEqual([
      'feature_norm [6]',
      'feature_projection [6,8]',
      'self_attention/query [8,2,8]',
      'self_attention/key [8,2,8]',
      'self_attention/value [8,2,8]',
      'self_attention/attention_output [2,8,8]',
      'self_attention_norm [8]',
    ]);
  });

  it('write attention as Keras does: queries scaled by 1/√d, masked keys pushed to −1e9 before the softmax', () => {
    const out = encoderBlock(exprOps, 'x', 'm', POST_NORM);
    expect(out).toContain('(split2x4(dense[self_attention/query](x)) * 0.5)');
    expect(out).toContain('softmax((matmul(');
    expect(out).toContain(' + ((1 - m) * -1000000000)))');
    expect(encoderBlock(exprOps, 'x', null, POST_NORM)).not.toContain('-1000000000');
  });

  it("write the seed's encoder as Keras does: LayerNorm → Dense(relu) → x, then LayerNorm(x + attention(x))", () => {
    const out = seedEncoderBlock(exprOps, 'f', { ...POST_NORM, headDim: 8, epsilon: 0.001 });
    const x = 'relu(dense[feature_projection](norm[feature_norm,0.001](f)))';
    expect(out.startsWith(`norm[self_attention_norm,0.001]((${x} + dense[self_attention/attention_output](`)).toBe(
      true,
    );
    expect(out).not.toContain('feedforward');
  });

  it('place the norms after each residual sum (post-norm) or before each branch (pre-norm)', () => {
    const post = encoderBlock(exprOps, 'x', null, POST_NORM);
    expect(post.startsWith('norm[feedforward_norm,0.00001]((norm[self_attention_norm,0.00001]((x + ')).toBe(true);
    const pre = encoderBlock(exprOps, 'x', null, { ...POST_NORM, normalizeFirst: true });
    expect(pre.startsWith('((x + ')).toBe(true);
    expect(pre).toContain('dense[self_attention/query](norm[self_attention_norm,0.00001](x))');
  });

  it('apply each dropout where the seed applies it, and none with rate 0', () => {
    const spec = { ...POST_NORM, attentionDropout: 0.1, feedForwardDropout: 0.3, outputDropout: 0.5 };
    const out = decoderBlock(exprOps, 'x', 'causal', 'enc', spec);
    expect(out.startsWith('drop0.5(norm[feedforward_norm')).toBe(true);
    expect(out).toContain('dense[feedforward_output](drop0.3(relu(dense[feedforward_intermediate](');
    // Every attention's weights (self and cross) get the attention dropout, and nothing else does.
    expect(out.match(/drop0\.1\(softmax/g)?.length).toBe(out.match(/softmax/g)?.length);
    expect(out).toContain('drop0.1(softmax(matmul((split2x4(dense[cross_attention/query]');
    expect(encoderBlock(exprOps, 'x', null, POST_NORM)).not.toContain('drop');
  });

  it('make the cached step the full pass with keys and values from the cache, written at this slot', () => {
    const step = decoderBlockStep(
      exprOps,
      'x',
      { cache: { keys: 'K', values: 'V' }, slot: 's', visible: 'v', memory: { keys: 'CK', values: 'CV' } },
      POST_NORM,
    );
    expect(step.fresh.keys).toBe('split2x4(dense[self_attention/key](x))');
    expect(step.cache.keys).toBe(`((K * (1 - s)) + (${step.fresh.keys} * s))`);
    expect(step.output).toContain(`${step.cache.values})`);
    expect(step.crossScores).toMatch(/^softmax\(matmul\(.*CKᵀ\)\)$/);
    const full = decoderBlock(exprOps, 'x', 'v', 'enc', POST_NORM);
    // Same sublayers, same norms, same order: only where the keys and values come from differs.
    const shape = (e: string) => e.match(/norm\[[a-z_]+/g);
    expect(shape(step.output)).toEqual(shape(full));
  });
});
