import { onnx } from 'onnx-proto';

/**
 * A small typed writer for ONNX graphs over `onnx-proto`. It only knows what the fusion export
 * needs: float32/int64 initializers, nodes with int/float/ints attributes, and float32 graph
 * inputs/outputs whose dimensions may be symbolic ('B', 'T', ...).
 *
 * Names are made unique by the builder (`fresh`) so graph code can stay declarative.
 */

/** ai.onnx opset the graph targets: ReduceSum takes axes as an input (>= 13), ReduceMax still as an attribute (< 18). */
export const OPSET = 17;
/** IR version 8 goes with opset 17 (ONNX 1.12). */
export const IR_VERSION = 8;

export type Dim = number | string;
export type AttrValue = number | number[] | { float: number } | { floats: number[] };

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

export class OnnxGraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  /** A name not used yet, derived from `hint`. */
  fresh(hint: string): string {
    let name = hint;
    while (this.used.has(name)) name = `${hint}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  /** Declare a float32 graph input; `shape` entries may be symbolic names. */
  input(name: string, shape: Dim[]): string {
    if (this.used.has(name)) throw new Error(`ONNX graph: duplicate name '${name}'`);
    this.used.add(name);
    this.inputs.push(valueInfo(name, shape));
    return name;
  }

  /** Declare a graph output, produced by an Identity of `value` so that any value can be exposed under a fixed name. */
  output(name: string, value: string, shape: Dim[]): void {
    if (this.used.has(name)) throw new Error(`ONNX graph: duplicate name '${name}'`);
    this.used.add(name);
    this.nodes.push({ opType: 'Identity', input: [value], output: [name], name: `${name}_out` });
    this.outputs.push(valueInfo(name, shape));
  }

  /** A float32 constant tensor (row-major data). */
  floatTensor(hint: string, shape: number[], data: ArrayLike<number>): string {
    const size = shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) throw new Error(`ONNX initializer '${hint}': shape [${shape}] needs ${size} values, got ${data.length}`);
    const name = this.fresh(hint);
    const buf = new Float32Array(data);
    this.initializers.push({
      name, dims: shape, dataType: FLOAT,
      rawData: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength),
    });
    return name;
  }

  /** A float32 scalar constant (shape []). */
  scalar(hint: string, value: number): string {
    return this.floatTensor(hint, [], [value]);
  }

  /** An int64 constant vector (axes, shapes, indices). */
  int64Tensor(hint: string, values: number[]): string {
    const name = this.fresh(hint);
    const buf = new BigInt64Array(values.map((v) => BigInt(v)));
    this.initializers.push({
      name, dims: [values.length], dataType: INT64,
      rawData: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength),
    });
    return name;
  }

  /** Add a node with one output; returns the output name. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, hint = opType.toLowerCase()): string {
    return this.opMulti(opType, inputs, 1, attrs, hint)[0];
  }

  /** Add a node with `nOut` outputs. */
  opMulti(opType: string, inputs: string[], nOut: number, attrs: Record<string, AttrValue> = {}, hint = opType.toLowerCase()): string[] {
    const outs = Array.from({ length: nOut }, (_, k) => this.fresh(nOut === 1 ? hint : `${hint}_${k}`));
    this.nodes.push({
      opType, input: inputs, output: outs, name: this.fresh(`${hint}_node`),
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** Serialise as a ModelProto. */
  build(opts: { graphName: string; producerVersion?: string; docString?: string; metadata?: Record<string, string> }): Uint8Array {
    const model: onnx.IModelProto = {
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'vigil',
      producerVersion: opts.producerVersion ?? '0',
      docString: opts.docString ?? '',
      graph: {
        name: opts.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
      metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
    };
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, shape: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, v: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`ONNX attribute '${name}': use { float } for non-integers`);
    return { name, type: T.INT, i: v };
  }
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if ('float' in v) return { name, type: T.FLOAT, f: v.float };
  return { name, type: T.FLOATS, floats: v.floats };
}
