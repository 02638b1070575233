import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;
const AttributeType = onnx.AttributeProto.AttributeType;

/** The opset every exported graph targets: LayerNormalization needs ≥ 17; ReduceMean still takes `axes` as an attribute. */
export const OPSET = 17;
/** IR version 8 is what ONNX 1.10–1.13 write for opset 17 and what ONNX Runtime 1.x reads. */
const IR_VERSION = 8;

/** A dimension: a fixed size, or a name for a size chosen at run time (`batch`, `rows`). */
export type Dim = number | string;
export type ElementType = 'float32' | 'int64';
export type AttributeValue = number | number[] | { float: number } | { string: string };

const ELEMENT_TYPES: Record<ElementType, number> = { float32: DataType.FLOAT, int64: DataType.INT64 };

function valueInfo(name: string, type: ElementType, shape: Dim[]): onnxProto.onnx.IValueInfoProto {
  const dim = shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: ELEMENT_TYPES[type], shape: { dim } } } };
}

function attribute(name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto {
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if (typeof value === 'number') {
    if (!Number.isInteger(value))
      throw new Error(`attribute ${name}: ${value} is not an integer; pass { float: ${value} } for a float.`);
    return { name, type: AttributeType.INT, i: value };
  }
  if ('string' in value) return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value.string) };
  return { name, type: AttributeType.FLOAT, f: value.float };
}

function bytesOf(data: Float32Array | BigInt64Array): Uint8Array {
  // ONNX raw_data is little-endian, as typed arrays are on every platform Node ships for.
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Builds one ONNX graph node by node. Every intermediate gets a fresh name from its op, so the
 * emitting code reads like the maths (`g.op('MatMul', [x, w])`) and never collides on names.
 */
export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly constants = new Map<string, string>();
  private counter = 0;

  constructor(private readonly name: string) {}

  input(name: string, type: ElementType, shape: Dim[]): string {
    this.inputs.push(valueInfo(name, type, shape));
    return name;
  }

  /** Declares `value` as a graph output named `name` (an Identity keeps the internal name free). */
  output(value: string, name: string, type: ElementType, shape: Dim[]): void {
    this.nodes.push({ opType: 'Identity', input: [value], output: [name], name: `${name}_out` });
    this.outputs.push(valueInfo(name, type, shape));
  }

  /** A named weight stored in the model file. */
  weight(name: string, data: Float32Array, dims: number[]): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length)
      throw new Error(`weight ${name}: ${data.length} values do not fill shape [${dims.join(', ')}].`);
    this.initializers.push({ name, dims, dataType: DataType.FLOAT, rawData: bytesOf(data) });
    return name;
  }

  /** A small constant, shared between uses of the same value. */
  constant(values: number[], type: ElementType, dims: number[] = [values.length]): string {
    const key = `${type}:${dims.join('x')}:${values.join(',')}`;
    const known = this.constants.get(key);
    if (known) return known;
    const name = `const_${this.constants.size}`;
    const data = type === 'int64' ? BigInt64Array.from(values.map(BigInt)) : Float32Array.from(values);
    this.initializers.push({ name, dims, dataType: ELEMENT_TYPES[type], rawData: bytesOf(data) });
    this.constants.set(key, name);
    return name;
  }

  scalar(value: number, type: ElementType = 'float32'): string {
    return this.constant([value], type, []);
  }

  /** Appends one node and returns its single output's name. */
  op(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}): string {
    const output = `${opType.toLowerCase()}_${this.counter++}`;
    this.nodes.push({
      opType,
      input: inputs,
      output: [output],
      name: output,
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
    return output;
  }

  /** Serialises the graph as a complete ONNX model file. */
  toBytes(): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: '@imgcap/onnx-engine',
      opsetImport: [{ domain: '', version: OPSET }],
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
