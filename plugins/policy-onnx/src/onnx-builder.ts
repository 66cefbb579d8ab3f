import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
export type OnnxModelProto = InstanceType<typeof onnx.ModelProto>;

/** ONNX TensorProto.DataType codes used here. */
export const DType = { FLOAT: 1, INT64: 7, BOOL: 9 } as const;
export type DTypeCode = (typeof DType)[keyof typeof DType];

/** A dimension: a fixed size or a symbolic name (`batch`, `seq`). */
export type Dim = number | string;
export type AttrValue = number | number[] | string | { float: number };

/**
 * A small imperative builder over the onnx-proto message types: names are generated, nodes are
 * appended in topological order (the order you call the methods in), and initializers are stored
 * as raw little-endian bytes (protobuf `raw_data`, the compact form every runtime reads).
 */
export class GraphBuilder {
  private readonly nodes: Array<InstanceType<typeof onnx.NodeProto>> = [];
  private readonly initializers: Array<InstanceType<typeof onnx.TensorProto>> = [];
  private readonly inputs: Array<InstanceType<typeof onnx.ValueInfoProto>> = [];
  private readonly outputs: Array<InstanceType<typeof onnx.ValueInfoProto>> = [];
  private readonly constCache = new Map<string, string>();
  private counter = 0;

  constructor(readonly name: string, readonly opset = 17) {}

  fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  input(name: string, dtype: DTypeCode, shape: Dim[]): string {
    this.inputs.push(valueInfo(name, dtype, shape));
    return name;
  }

  output(name: string, dtype: DTypeCode, shape: Dim[]): void {
    this.outputs.push(valueInfo(name, dtype, shape));
  }

  /** A float32 initializer (weights). */
  initFloat(name: string, shape: number[], data: Float32Array): string {
    const bytes = new Uint8Array(data.byteLength);
    new Float32Array(bytes.buffer).set(data); // copy: data may be an unaligned view or big-endian-free host array
    this.initializers.push(onnx.TensorProto.create({ name, dims: shape, dataType: DType.FLOAT, rawData: bytes }));
    return name;
  }

  /** An int64 initializer (shapes, indices); values must fit in a double exactly. */
  initInt64(name: string, shape: number[], values: number[]): string {
    const big = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push(onnx.TensorProto.create({ name, dims: shape, dataType: DType.INT64, rawData: new Uint8Array(big.buffer) }));
    return name;
  }

  /** Shared constant tensors, deduplicated by value. */
  constInt64(values: number[], scalar = false): string {
    const key = `i64:${scalar ? 's' : 'v'}:${values.join(',')}`;
    let name = this.constCache.get(key);
    if (!name) {
      name = this.initInt64(this.fresh('const_i64'), scalar ? [] : [values.length], values);
      this.constCache.set(key, name);
    }
    return name;
  }

  constFloat(value: number): string {
    const key = `f32:${value}`;
    let name = this.constCache.get(key);
    if (!name) {
      name = this.initFloat(this.fresh('const_f32'), [], Float32Array.of(value));
      this.constCache.set(key, name);
    }
    return name;
  }

  /** Appends a node; returns its output names (one fresh name per output unless given). */
  node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputs: number | string[] = 1): string[] {
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase())) : outputs;
    this.nodes.push(onnx.NodeProto.create({
      opType,
      input: inputs,
      output: outs,
      name: this.fresh(`n_${opType}`),
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    }));
    return outs;
  }

  /** Single-output shorthand. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    return this.node(opType, inputs, attrs, output ? [output] : 1)[0]!;
  }

  build(metadata: Record<string, string> = {}): OnnxModelProto {
    const graph = onnx.GraphProto.create({
      name: this.name,
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
    });
    return onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'reasoner-policy-onnx',
      producerVersion: '1',
      opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: this.opset })],
      graph,
      metadataProps: Object.entries(metadata).map(([key, value]) => onnx.StringStringEntryProto.create({ key, value })),
    });
  }

  toBytes(metadata: Record<string, string> = {}): Uint8Array {
    return onnx.ModelProto.encode(this.build(metadata)).finish();
  }
}

function valueInfo(name: string, dtype: DTypeCode, shape: Dim[]): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: dtype,
        shape: onnx.TensorShapeProto.create({
          dim: shape.map((d) => onnx.TensorShapeProto.Dimension.create(typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        }),
      }),
    }),
  });
}

function attribute(name: string, v: AttrValue): InstanceType<typeof onnx.AttributeProto> {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return onnx.AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(v) });
  if (Array.isArray(v)) return onnx.AttributeProto.create({ name, type: T.INTS, ints: v });
  if (typeof v === 'object') return onnx.AttributeProto.create({ name, type: T.FLOAT, f: v.float });
  return onnx.AttributeProto.create({ name, type: T.INT, i: v });
}

/** Decodes ONNX bytes (throws protobufjs errors on corrupt input). */
export function decodeModel(bytes: Uint8Array): OnnxModelProto {
  return onnx.ModelProto.decode(bytes);
}
