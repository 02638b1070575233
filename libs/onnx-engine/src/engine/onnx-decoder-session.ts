import type { DecoderSession, StepOutput } from '@imgcap/captioner/generation';
import type { StepResults, StepRunner } from './step-runner.js';

/** Shapes of the decoder-step graph's cache and cross-attention inputs. */
export interface DecoderStepShape {
  numHeads: number;
  headDim: number;
  /** Decoder positions: the self-attention cache length. */
  maxLength: number;
  gridTokens: number;
}

/** Copies rows of a row-major [rows, ...] array: row i of the result is row `order[i]` of `source`. */
export function gatherRows(source: Float32Array, order: Int32Array, rowSize: number): Float32Array {
  const out = new Float32Array(order.length * rowSize);
  order.forEach((from, row) => out.set(source.subarray(from * rowSize, (from + 1) * rowSize), row * rowSize));
  return out;
}

/**
 * Incremental decoding on ONNX Runtime with the same contract as the captioner's CachedDecoderSession,
 * so its greedy and beam search run unchanged. The caches live in JS arrays between steps: each step
 * writes the position's new keys and values into them in place. Steps return host arrays (no tfjs
 * tensors), so a step allocates only ONNX Runtime's small outputs — every buffer allocated here is
 * memory outside V8's heap, and allocating the whole cache twice a step made V8 run full collections
 * for "external memory pressure" several times per caption.
 */
export class OnnxDecoderSession implements DecoderSession {
  readonly gridTokens: number;
  private keys: Float32Array;
  private values: Float32Array;
  private crossKeys: Float32Array;
  private crossValues: Float32Array;
  private readonly cacheDims: number[];
  private readonly crossDims: number[];

  /** `cross` holds the encoder's cross-attention keys/values, one row per decoder row: [rows, H, T, dh]. */
  constructor(
    private readonly runStep: StepRunner,
    readonly rows: number,
    cross: { keys: Float32Array; values: Float32Array },
    private readonly shape: DecoderStepShape,
  ) {
    const { numHeads, headDim, maxLength, gridTokens } = shape;
    this.gridTokens = gridTokens;
    this.cacheDims = [rows, numHeads, maxLength, headDim];
    this.crossDims = [rows, numHeads, gridTokens, headDim];
    const crossSize = rows * numHeads * gridTokens * headDim;
    if (cross.keys.length !== crossSize || cross.values.length !== crossSize) {
      throw new Error(
        `cross-attention keys/values hold ${cross.keys.length}/${cross.values.length} values; [${this.crossDims}] needs ${crossSize}.`,
      );
    }
    this.crossKeys = cross.keys;
    this.crossValues = cross.values;
    this.keys = new Float32Array(rows * numHeads * maxLength * headDim);
    this.values = new Float32Array(this.keys.length);
  }

  step(tokens: Int32Array, position: number): StepOutput | Promise<StepOutput> {
    const { rows, shape } = this;
    if (!Number.isInteger(position) || position < 0 || position >= shape.maxLength) {
      throw new Error(`position must be an integer in [0, ${shape.maxLength - 1}], got ${position}.`);
    }
    if (tokens.length !== rows) throw new Error(`step needs one token per row (${rows}), got ${tokens.length}.`);
    const results = this.runStep({
      tokens: BigInt64Array.from(tokens, (t) => BigInt(t)),
      position: BigInt(position),
      pastKeys: this.keys,
      pastValues: this.values,
      crossKeys: this.crossKeys,
      crossValues: this.crossValues,
      cacheDims: this.cacheDims,
      crossDims: this.crossDims,
    });
    const finish = (r: StepResults): StepOutput => {
      this.writeSlot(this.keys, r.newKeys, position);
      this.writeSlot(this.values, r.newValues, position);
      return { logProbs: r.logProbs, attention: r.crossAttention };
    };
    return results instanceof Promise ? results.then(finish) : finish(results);
  }

  /** Writes fresh [rows, H, 1, dh] values into slot `position` of a cache [rows, H, maxLength, dh]. */
  private writeSlot(cache: Float32Array, fresh: Float32Array, position: number): void {
    const { numHeads, headDim, maxLength } = this.shape;
    for (let head = 0; head < this.rows * numHeads; head++) {
      cache.set(fresh.subarray(head * headDim, (head + 1) * headDim), (head * maxLength + position) * headDim);
    }
  }

  reorder(order: Int32Array): void {
    if (order.length !== this.rows) throw new Error(`reorder needs ${this.rows} row indices, got ${order.length}.`);
    const { numHeads, headDim, maxLength, gridTokens } = this.shape;
    this.keys = gatherRows(this.keys, order, numHeads * maxLength * headDim);
    this.values = gatherRows(this.values, order, numHeads * maxLength * headDim);
    this.crossKeys = gatherRows(this.crossKeys, order, numHeads * gridTokens * headDim);
    this.crossValues = gatherRows(this.crossValues, order, numHeads * gridTokens * headDim);
  }

  /** Holds no tfjs tensors or native sessions of its own: the arrays go with the garbage collector. */
  dispose(): void {
    this.keys = this.values = this.crossKeys = this.crossValues = new Float32Array(0);
  }
}
