/**
 * The trained fusion model as plain JSON (the contract in docs/ARCHITECTURE.md). `export/` rebuilds
 * the same graph in ONNX from exactly these tensor names.
 */
export type TowerName = 'meta' | 'visual' | 'audio' | 'text';
export const MODALITIES: readonly TowerName[] = ['meta', 'visual', 'audio', 'text'];

/** Pooling and fusion names the contract (and the ONNX exporter) know; registries map them to code. */
export type PoolingName = 'mean' | 'max' | 'attention';
export type FusionName = 'linear' | 'mlp';

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
