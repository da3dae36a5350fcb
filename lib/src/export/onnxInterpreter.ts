import { onnx } from 'onnx-proto';
import { sigmoid } from '../util/sigmoid.js';

/**
 * A second, independent ONNX runtime: a tiny float64 interpreter for exactly the operators the fusion
 * export emits, reading the serialised ModelProto (initializers, attributes, node order) rather than
 * the weights. It exists to check that `model.onnx` means what the export intends, independently of
 * onnxruntime — it is slow and only for tests and debugging.
 */
export interface Tensor { shape: number[]; data: Float64Array }

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const strides = (shape: number[]) => {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
};

function broadcastShape(a: number[], b: number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1, db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`broadcast: [${a}] vs [${b}]`);
    out.push(Math.max(da, db));
  }
  return out;
}

/** Element-wise binary op with numpy broadcasting. */
function binary(a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
  const shape = broadcastShape(a.shape, b.shape);
  const n = size(shape), os = strides(shape);
  const idx = (t: Tensor) => {
    const ts = strides(t.shape), off = shape.length - t.shape.length;
    return (flat: number) => {
      let k = 0;
      for (let d = 0; d < shape.length; d++) {
        const td = d - off;
        if (td < 0) continue;
        const c = Math.floor(flat / os[d]) % shape[d];
        if (t.shape[td] !== 1) k += c * ts[td];
      }
      return k;
    };
  };
  const ia = idx(a), ib = idx(b);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = f(a.data[ia(i)], b.data[ib(i)]);
  return { shape, data };
}

function unary(a: Tensor, f: (x: number) => number): Tensor {
  return { shape: [...a.shape], data: a.data.map(f) };
}

/** Reduce over one axis (the export only reduces one axis at a time). */
function reduce(a: Tensor, axis: number, keep: boolean, init: number, f: (acc: number, x: number) => number): Tensor {
  const ax = axis < 0 ? axis + a.shape.length : axis;
  const outer = size(a.shape.slice(0, ax)), n = a.shape[ax], inner = size(a.shape.slice(ax + 1));
  const data = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
    let acc = init;
    for (let k = 0; k < n; k++) acc = f(acc, a.data[(o * n + k) * inner + i]);
    data[o * inner + i] = acc;
  }
  const shape = keep ? a.shape.map((d, i) => (i === ax ? 1 : d)) : a.shape.filter((_, i) => i !== ax);
  return { shape, data };
}

function matmul(a: Tensor, b: Tensor): Tensor {
  if (b.shape.length !== 2) throw new Error('MatMul: only [.., K] x [K, N] is supported');
  const [K, N] = b.shape;
  if (a.shape[a.shape.length - 1] !== K) throw new Error(`MatMul: [${a.shape}] x [${b.shape}]`);
  const rows = size(a.shape) / K;
  const data = new Float64Array(rows * N);
  for (let r = 0; r < rows; r++) for (let k = 0; k < K; k++) {
    const x = a.data[r * K + k];
    if (x === 0) continue;
    for (let n = 0; n < N; n++) data[r * N + n] += x * b.data[k * N + n];
  }
  return { shape: [...a.shape.slice(0, -1), N], data };
}

function tensorFromProto(t: onnx.ITensorProto): Tensor {
  const shape = (t.dims ?? []).map(Number);
  const raw = t.rawData;
  if (!raw || raw.length === 0) throw new Error(`initializer ${t.name}: only raw_data is supported`);
  const bytes = new Uint8Array(raw).slice().buffer;
  if (t.dataType === onnx.TensorProto.DataType.FLOAT) return { shape, data: Float64Array.from(new Float32Array(bytes)) };
  if (t.dataType === onnx.TensorProto.DataType.INT64) return { shape, data: Float64Array.from(new BigInt64Array(bytes), Number) };
  throw new Error(`initializer ${t.name}: data type ${t.dataType} not supported`);
}

/** Run a serialised model on float inputs; returns every graph output by name. */
export function interpretOnnx(model: Uint8Array, inputs: Record<string, Tensor>): Record<string, Tensor> {
  const m = onnx.ModelProto.decode(model);
  const g = m.graph;
  if (!g) throw new Error('model has no graph');
  const env = new Map<string, Tensor>();
  for (const t of g.initializer ?? []) env.set(t.name as string, tensorFromProto(t));
  for (const i of g.input ?? []) {
    const x = inputs[i.name as string];
    if (!x) throw new Error(`missing input ${i.name}`);
    env.set(i.name as string, { shape: [...x.shape], data: Float64Array.from(x.data) });
  }
  const get = (n: string) => { const t = env.get(n); if (!t) throw new Error(`value ${n} not computed`); return t; };
  const attr = (node: onnx.INodeProto, name: string) => (node.attribute ?? []).find((a) => a.name === name);
  const intAttr = (node: onnx.INodeProto, name: string, dflt: number) => { const a = attr(node, name); return a ? Number(a.i) : dflt; };
  for (const node of g.node ?? []) {
    const ins = (node.input ?? []).map(get);
    let out: Tensor;
    switch (node.opType) {
      case 'Identity': out = ins[0]; break;
      case 'Add': out = binary(ins[0], ins[1], (x, y) => x + y); break;
      case 'Sub': out = binary(ins[0], ins[1], (x, y) => x - y); break;
      case 'Mul': out = binary(ins[0], ins[1], (x, y) => x * y); break;
      case 'Div': out = binary(ins[0], ins[1], (x, y) => x / y); break;
      case 'Max': out = binary(ins[0], ins[1], Math.max); break;
      case 'GreaterOrEqual': out = binary(ins[0], ins[1], (x, y) => (x >= y ? 1 : 0)); break;
      case 'Relu': out = unary(ins[0], (x) => Math.max(0, x)); break;
      case 'Tanh': out = unary(ins[0], Math.tanh); break;
      case 'Sigmoid': out = unary(ins[0], sigmoid); break;
      case 'Cast': out = ins[0]; break; // bool → int64 / float: same numbers here
      case 'MatMul': out = matmul(ins[0], ins[1]); break;
      case 'ReduceSum': out = reduce(ins[0], ins[1].data[0], intAttr(node, 'keepdims', 1) === 1, 0, (a, x) => a + x); break;
      case 'ReduceMax': {
        const axes = attr(node, 'axes')?.ints?.map(Number) ?? [];
        out = reduce(ins[0], axes[0], intAttr(node, 'keepdims', 1) === 1, -Infinity, Math.max);
        break;
      }
      case 'Softmax': {
        const a = ins[0], ax = intAttr(node, 'axis', -1);
        const axis = ax < 0 ? ax + a.shape.length : ax;
        const mx = reduce(a, axis, true, -Infinity, Math.max);
        const e = binary(a, mx, (x, y) => Math.exp(x - y));
        out = binary(e, reduce(e, axis, true, 0, (s, x) => s + x), (x, y) => x / y);
        break;
      }
      case 'Unsqueeze': { const ax = ins[1].data[0]; const s = [...ins[0].shape]; s.splice(ax < 0 ? ax + s.length + 1 : ax, 0, 1); out = { shape: s, data: ins[0].data }; break; }
      case 'Squeeze': { const ax = ins[1].data[0]; out = { shape: ins[0].shape.filter((_, i) => i !== ax), data: ins[0].data }; break; }
      case 'Concat': {
        const axis = intAttr(node, 'axis', 0);
        const shape = [...ins[0].shape];
        shape[axis] = ins.reduce((s, t) => s + t.shape[axis], 0);
        const outer = size(shape.slice(0, axis)), inner = size(shape.slice(axis + 1));
        const data = new Float64Array(size(shape));
        let off = 0;
        for (const t of ins) {
          const n = t.shape[axis];
          for (let o = 0; o < outer; o++) for (let k = 0; k < n; k++) for (let i = 0; i < inner; i++) {
            data[(o * shape[axis] + off + k) * inner + i] = t.data[(o * n + k) * inner + i];
          }
          off += n;
        }
        out = { shape, data };
        break;
      }
      case 'Slice': {
        const [a, st, en, ax] = ins;
        const axis = ax.data[0], start = st.data[0], end = Math.min(en.data[0], a.shape[axis]);
        const shape = [...a.shape];
        shape[axis] = end - start;
        const outer = size(a.shape.slice(0, axis)), inner = size(a.shape.slice(axis + 1)), n = a.shape[axis];
        const data = new Float64Array(size(shape));
        for (let o = 0; o < outer; o++) for (let k = start; k < end; k++) for (let i = 0; i < inner; i++) {
          data[(o * shape[axis] + k - start) * inner + i] = a.data[(o * n + k) * inner + i];
        }
        out = { shape, data };
        break;
      }
      case 'Gather': {
        if (intAttr(node, 'axis', 0) !== 0 || ins[0].shape.length !== 1) throw new Error('Gather: only axis 0 of a vector');
        out = { shape: [...ins[1].shape], data: ins[1].data.map((k) => ins[0].data[k]) };
        break;
      }
      default: throw new Error(`operator ${node.opType} is not supported by this interpreter`);
    }
    env.set((node.output ?? [])[0], out);
  }
  const result: Record<string, Tensor> = {};
  for (const o of g.output ?? []) result[o.name as string] = get(o.name as string);
  return result;
}
