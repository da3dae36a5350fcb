import { VigilError } from '../util/errors.js';

/**
 * The trained fusion model as plain JSON (the contract in docs/ARCHITECTURE.md). `export/` rebuilds
 * the same graph in ONNX from exactly these tensor names.
 */
export type TowerName = 'meta' | 'visual' | 'audio' | 'text';
export const MODALITIES: readonly TowerName[] = ['meta', 'visual', 'audio', 'text'];

/**
 * A registered pooling ('mean', 'max', 'attention' built in; model/pooling/registry.ts) and fusion
 * head ('linear', 'mlp'; model/fusion/registry.ts). Plain strings: the registries are the list.
 */
export type PoolingName = string;
export type FusionName = string;

export interface FusionNetConfig {
  towers: string[];
  pooling: PoolingName;
  fusion: FusionName;
  hidden: number;
  attentionDim: number;
  fusionHidden: number;
  metaDim: number;
  frameDim: number;
  audioDim: number;
  textDim: number;
}

export interface NamedTensor { shape: number[]; data: number[] }

export interface FusionWeights {
  config: FusionNetConfig;
  tensors: Record<string, NamedTensor>;
}

/** Shape and initialiser of one trainable tensor. */
export interface ParamSpec {
  name: string;
  shape: number[];
  init: 'glorot' | 'zeros';
}

/** The two tensors of a dense layer `y = x·kernel + bias`. */
export function denseSpecs(prefix: string, inDim: number, outDim: number): ParamSpec[] {
  return [
    { name: `${prefix}/kernel`, shape: [inDim, outDim], init: 'glorot' },
    { name: `${prefix}/bias`, shape: [outDim], init: 'zeros' },
  ];
}

/** Set entry [row, col] of the 2-d tensor `name` (a hand-built network, e.g. model/linearTextModel.ts). */
export function setWeight(tensors: FusionWeights['tensors'], name: string, row: number, col: number, v: number): void {
  const t = tensors[name];
  if (!t) throw new VigilError(`the architecture has no tensor '${name}'`, { field: `tensors.${name}` });
  t.data[row * t.shape[1] + col] = v;
}
