/**
 * Reading Arrow columns of the accepted kinds into plain arrays, with row-level checks that name the
 * column and the dataset row. Works per record batch; `rowBase` is the batch's first dataset row.
 */
import { DataType, Type, type Data, type Vector } from 'apache-arrow';
import { isValidAt } from './arrow.js';
import { fail } from '../util/errors.js';

/** A Float32 buffer that grows by doubling. */
export class F32Builder {
  buf: Float32Array;
  len = 0;
  constructor(cap = 1024) { this.buf = new Float32Array(cap); }
  reserve(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + extra) cap *= 2;
    const nb = new Float32Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }
  push(v: number): void { this.reserve(1); this.buf[this.len++] = v; }
  finish(): Float32Array { return this.buf.slice(0, this.len); }
}

function only(v: Vector): Data {
  if (v.data.length !== 1) throw new Error('expected a single-chunk column per record batch');
  return v.data[0];
}

export function readStrings(v: Vector, name: string, nullable: boolean, rowBase: number): (string | null)[] {
  const out: (string | null)[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const s = v.get(i) as string | null;
    if (s === null || s === undefined) {
      if (!nullable) fail(name, 'null where a string is required', rowBase + i);
      out[i] = null;
    } else out[i] = s;
  }
  return out;
}

/** Numbers (any int/float type, bigint included); nulls → NaN (or an error when not nullable). */
export function readNumbers(v: Vector, name: string, nullable: boolean, rowBase: number): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v.get(i) as number | bigint | null;
    if (x === null || x === undefined) {
      if (!nullable) fail(name, 'null where a number is required', rowBase + i);
      out[i] = NaN;
      continue;
    }
    const n = typeof x === 'bigint' ? Number(x) : x;
    if (!Number.isFinite(n)) fail(name, `expected a finite number, got ${n}`, rowBase + i);
    out[i] = n;
  }
  return out;
}

/** Timestamps of any unit → epoch milliseconds; nulls → NaN when `nullable`. */
export function readTimestampsMs(v: Vector, name: string, rowBase: number, nullable = false): Float64Array {
  const out = new Float64Array(v.length);
  const d = only(v);
  // Arrow JS returns epoch-ms numbers for every timestamp unit and for dates.
  for (let i = 0; i < v.length; i++) {
    if (!isValidAt(d, i)) {
      if (!nullable) fail(name, 'null where a timestamp is required', rowBase + i);
      out[i] = NaN;
      continue;
    }
    const x = v.get(i) as number | bigint | Date;
    const ms = x instanceof Date ? x.getTime() : Number(x);
    if (!Number.isFinite(ms)) fail(name, `invalid timestamp ${String(x)}`, rowBase + i);
    out[i] = ms;
  }
  return out;
}

function offsetsOf(d: Data): (i: number) => number {
  const vo: Int32Array | BigInt64Array = d.valueOffsets;
  const type = d.type;
  if (DataType.isFixedSizeList(type)) {
    const size = type.listSize;
    return (i) => (d.offset + i) * size;
  }
  if (vo instanceof BigInt64Array) return (i) => Number(vo[d.offset + i]);
  return (i) => vo[d.offset + i];
}

function floatsOf(d: Data, name: string): { values: ArrayLike<number>; base: number } {
  const vals: ArrayLike<number> | BigInt64Array | BigUint64Array = d.values;
  if (vals instanceof BigInt64Array || vals instanceof BigUint64Array) {
    fail(name, 'embedding values must be float or 32-bit integer, not 64-bit integers');
  }
  return { values: vals, base: d.offset };
}

/**
 * The row loop of the list readers: a null row is skipped (an error naming `what` unless `nullable`),
 * a valid row's items [a, b) go to `row`, and its item count is recorded.
 */
function readListRows(
  d: Data, length: number, name: string, nullable: boolean, rowBase: number, what: string, row: (i: number, a: number, b: number) => void,
): { counts: Int32Array; valid: Uint8Array } {
  const off = offsetsOf(d);
  const counts = new Int32Array(length);
  const valid = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    if (!isValidAt(d, i)) {
      if (!nullable) fail(name, `null where ${what} is required`, rowBase + i);
      continue;
    }
    valid[i] = 1;
    const a = off(i), b = off(i + 1);
    row(i, a, b);
    counts[i] = b - a;
  }
  return { counts, valid };
}

/** list<number> per row → CSR (offsets relative to this batch, values appended to `out`). */
export function readFloatLists(
  v: Vector, name: string, nullable: boolean, rowBase: number, out: F32Builder,
): { counts: Int32Array; valid: Uint8Array } {
  const d = only(v);
  const { values, base } = floatsOf(d.children[0], name);
  return readListRows(d, v.length, name, nullable, rowBase, 'a list', (i, a, b) => {
    out.reserve(b - a);
    for (let k = a; k < b; k++) {
      const x = values[base + k];
      if (!Number.isFinite(x)) fail(name, `non-finite value ${x} at position ${k - a}`, rowBase + i);
      out.buf[out.len++] = x;
    }
  });
}

/**
 * list<fixed_size_list<number, D>> (or list<list<number>>) per row → CSR of embedding rows.
 * `dim` is learned from the first embedding when null; every embedding must have that length.
 */
export function readEmbeddingLists(
  v: Vector, name: string, nullable: boolean, rowBase: number, out: F32Builder, dim: number | null,
): { counts: Int32Array; valid: Uint8Array; dim: number | null } {
  const d = only(v);
  const inner = d.children[0];
  const innerOff = offsetsOf(inner);
  const { values, base } = floatsOf(inner.children[0], name);
  const rows = readListRows(d, v.length, name, nullable, rowBase, 'a list of embeddings', (i, a, b) => {
    for (let e = a; e < b; e++) {
      if (!isValidAt(inner, e)) fail(name, `embedding ${e - a} is null`, rowBase + i);
      const s = innerOff(e), t = innerOff(e + 1);
      const len = t - s;
      if (dim === null) {
        if (len === 0) fail(name, 'embedding of length 0', rowBase + i);
        dim = len;
      }
      if (len !== dim) fail(name, `ragged embedding: embedding ${e - a} has ${len} values, expected ${dim}`, rowBase + i);
      out.reserve(len);
      for (let k = s; k < t; k++) {
        const x = values[base + k];
        if (!Number.isFinite(x)) fail(name, `NaN/Inf in embedding ${e - a} (value ${x} at dim ${k - s})`, rowBase + i);
        out.buf[out.len++] = x;
      }
    }
  });
  return { ...rows, dim };
}

export function readStringLists(v: Vector, name: string, rowBase: number): string[][] {
  const out: string[][] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v.get(i) as { toArray(): (string | null)[] } | null;
    if (x === null || x === undefined) { out[i] = []; continue; }
    const arr = x.toArray();
    for (const s of arr) if (s === null) fail(name, 'null tag inside the list', rowBase + i);
    out[i] = arr as string[];
  }
  return out;
}
