/** PSI alert levels: below 0.1 stable, 0.1–0.25 worth a look, 0.25 and above a real shift. */
export const PSI_WARN = 0.1;
export const PSI_ALERT = 0.25;
export type DriftLevel = 'ok' | 'warn' | 'alert';

export function psiLevel(psi: number, warn = PSI_WARN, alert = PSI_ALERT): DriftLevel {
  return psi >= alert ? 'alert' : psi >= warn ? 'warn' : 'ok';
}

export type FeatureGroup = 'metadata' | 'visual' | 'audio' | 'text' | 'labels' | 'score';

/**
 * The training distribution of one monitored quantity. Numeric features keep the reference's
 * quantile bin edges (interior cut points); categorical ones keep their levels (rare ones pooled
 * into `(other)`). `shares` has one entry per bin/level plus a last entry for missing values, so a
 * rise in missing metadata is drift too.
 */
export interface FeatureReference {
  name: string;
  group: FeatureGroup;
  kind: 'numeric' | 'categorical';
  edges?: number[];
  levels?: string[];
  /**
   * Defined only when its modality is present (audio embeddings, ASR confidence...): shares are over
   * the rows that have it, so a change in availability shows up once, in the availability feature,
   * and not again in every feature of that modality.
   */
  conditional?: boolean;
  /** Reference rows the shares were computed on (for the sampling-noise correction). */
  n?: number;
  shares: number[];
}

/** Mean-pooled embedding summary: the reference mean and its leading principal directions. */
export interface EmbeddingReference {
  dim: number;
  mean: number[];
  directions: number[][];
  /**
   * k-means centroids of the reference's pooled embeddings: the share of videos nearest each one
   * moves when a new kind of content appears, even where it barely moves the mean or the top
   * principal directions.
   */
  centroids?: number[][];
}

/** `reference.json` in a run folder. */
export interface DriftReference {
  version: 1;
  createdAt: string;
  rows: number;
  features: FeatureReference[];
  embeddings: { visual?: EmbeddingReference; audio?: EmbeddingReference };
}

export interface FeatureDrift {
  name: string;
  group: FeatureGroup;
  psi: number;
  /**
   * PSI expected from sampling alone, (k − 1)·(1/n + 1/n_ref) for k occupied bins: the level is
   * judged on psi − noise, so a small week is not mistaken for a shifted one.
   */
  noise: number;
  /** Rows the PSI was computed on (for conditional features, those that have the value). */
  n: number;
  /** Too few rows to judge (n below the minimum): reported, never alerting. */
  tooSmall: boolean;
  level: DriftLevel;
}

export interface WeekDrift {
  /** Monday of the upload week, YYYY-MM-DD (UTC). */
  week: string;
  n: number;
  /** Weighted harmful share among labelled rows; null when the week has no labels (fresh data). */
  prevalence: number | null;
  /** Fewer rows than `minRows`: PSI is reported but never raises an alert (sampling noise). */
  tooSmall: boolean;
  features: FeatureDrift[];
  /** Worst PSI among the features large enough to judge (all features when the week is too small). */
  maxPsi: number;
  level: DriftLevel;
}

export interface DriftReport {
  createdAt: string;
  referenceRows: number;
  thresholds: { warn: number; alert: number };
  minRows: number;
  weeks: WeekDrift[];
  /** Least rows a conditional feature (e.g. the harm mix among harmful uploads) needs in a week to alert. */
  minFeatureRows: number;
  /** Every (week, feature) at warn or alert level in a week large enough to judge. */
  alerts: { week: string; feature: string; group: FeatureGroup; psi: number; noise: number; level: DriftLevel }[];
  level: DriftLevel;
}
