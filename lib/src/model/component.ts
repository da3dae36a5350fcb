import type * as tfjs from '@tensorflow/tfjs';
import type { Params } from './layers.js';

/**
 * The two things a model component (tower, pooling, fusion head) is written against: TF.js ops for
 * training and prediction, and an ONNX graph under construction for export. A component module
 * imports neither runtime: it gets them here, so the registries (and export/, which walks them to
 * write the graph) load without TF.js — `vigil serve` never pays for the training stack — and
 * model/ never imports export/.
 */

/** TF.js as a component's forward sees it. */
export interface TfContext {
  tf: typeof tfjs;
  /** The model's tensors by contract name. */
  p: Params;
  /** `x·kernel + bias` with the tensors under `prefix` (model/layers.ts); `inputIsData`: x is a model input. */
  dense(prefix: string, x: tfjs.Tensor, inputIsData?: boolean): tfjs.Tensor;
}

/** An ONNX node attribute: int, ints, float or floats. */
export type GraphAttr = number | number[] | { float: number } | { floats: number[] };

/** The graph-writing operations (export/onnxBuilder.ts's OnnxGraphBuilder has exactly these). */
export interface GraphOps {
  /** Add a node with one output; returns the output's name. */
  op(opType: string, inputs: string[], attrs?: Record<string, GraphAttr>, hint?: string): string;
  floatTensor(hint: string, shape: number[], data: ArrayLike<number>): string;
  int64Tensor(hint: string, values: number[]): string;
  scalar(hint: string, value: number): string;
}

/** A graph input a tower reads: its contract name and shape (symbolic dims such as 'B', 'T', 'S'). */
export interface GraphInput { name: string; shape: (number | string)[] }

/** The ONNX graph being written, as a component sees it. Values are named by strings. */
export interface EmitContext {
  g: GraphOps;
  /** `x·kernel + bias` (then relu) with the tensors under `prefix` as initializers. */
  dense(x: string, prefix: string, relu: boolean): string;
  /**
   * A constant made once per graph and shared by every component asking for the same key (the
   * attention pooling's mask logit serves the visual and the audio tower alike).
   */
  shared(key: string, make: () => string): string;
  /** Shared int64 axis constants [1] and [2], and float scalars 1 and 0. */
  axis1(): string;
  axis2(): string;
  one(): string;
  zero(): string;
}
