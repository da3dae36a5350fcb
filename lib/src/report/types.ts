import type { ValueCI } from '../runs/metricsFile.js';
import type { AttentionRow, CurveSeries, PrPoint, ReliabilityPoint, RocPoint, SweepPoint, WeekPoint } from './charts.js';
import type { DriftReport } from '../monitor/types.js';

/**
 * Everything a report shows, section by section. Every section is optional: a stage that did not
 * run leaves its section undefined and the report says "not run" there instead of failing.
 * Rates are fractions (0.9, not 90); `ci` is a 95% interval.
 */
export interface ReportInput {
  runId: string;
  title?: string;
  createdAt?: string;
  overview?: OverviewSection;
  profile?: ProfileSection;
  split?: SplitSection;
  models?: ModelsSection;
  training?: TrainingSection;
  test?: TestSection;
  curves?: CurvesSection;
  reliability?: ReliabilitySection;
  policy?: PolicySection;
  slices?: SlicesSection;
  attention?: AttentionSection;
  drift?: DriftReport;
  labelNoise?: LabelNoiseSection;
  latency?: LatencySection;
  reasonCodes?: ReasonCodeSection;
}

export interface OverviewSection {
  configName?: string;
  description?: string;
  datasetPath?: string;
  datasetFingerprint?: string | null;
  splitFingerprint?: string | null;
  gitCommit?: string | null;
  backend?: string | null;
  node?: string;
  /** Seconds per stage. */
  timings?: Record<string, number>;
  versions?: Record<string, string | null>;
}

export interface ProfileSection {
  rows: number;
  positives: number;
  prevalence: number;
  creators?: number;
  weeks?: WeekPoint[];
  /** Share of rows missing each field/modality (e.g. account_age_days, audio, transcript). */
  missing?: Record<string, number>;
  /** Any other measured statistic worth a line (label → value). */
  stats?: Record<string, number | string>;
}

export interface SplitCount { split: string; rows: number; positives: number; groups?: number; from?: string; to?: string }
export interface AuditCheck { check: string; passed: boolean; detail?: string }
export interface LeakageRow { setting: string; value: number; ci?: [number, number]; leaky: boolean }

export interface SplitSection {
  counts: SplitCount[];
  groups?: number;
  audit?: AuditCheck[];
  /** The same model scored under a leaky split and the leakage-safe one. */
  leakage?: { metric: string; rows: LeakageRow[]; note?: string };
}

export interface ModelRow {
  name: string;
  ap?: ValueCI;
  recallAt2Fpr?: ValueCI;
  top1Precision?: ValueCI;
  rocAuc?: number;
  ece?: number;
  note?: string;
}
export interface ModelsSection { rows: ModelRow[]; note?: string }

/** The training recipe (manifest.json `recipe`) and the model selection (metrics.json `model_selection`). */
export interface TrainingSection {
  /** One line on the training rows the recipe was derived from. */
  basis?: string;
  recipe: { field: string; value: number; source: 'explicit' | 'derived'; reason: string }[];
  selection?: {
    towers: { tower: string; judged: boolean; kept: boolean; calibAp?: number; chance?: number; liftLow?: number; aboveChance?: boolean }[];
    fusedCalibAp: number;
    fusedTowers: string[];
    fusedRetrained: boolean;
    fusedCalibApAllTowers?: number;
    exported: string;
    fusionBeatBestTower: boolean | null;
    reason: string;
    resamples?: number;
  };
}

/** A success criterion: met only when the CI bound on the safe side meets the target. */
export interface Criterion {
  name: string;
  metric: ValueCI | null;
  target: number;
  direction: '>=' | '<=';
  unit?: '%' | 'ms' | '';
}

export interface TestSection {
  n: number;
  positives: number;
  ap?: ValueCI;
  rocAuc?: ValueCI;
  recallAtFpr?: Record<string, ValueCI>;
  precisionAtTop?: Record<string, ValueCI>;
  ece?: number;
  brier?: number;
  criteria?: Criterion[];
}

export interface CurvesSection {
  pr: CurveSeries<PrPoint>[];
  roc: CurveSeries<RocPoint>[];
  prevalence?: number;
}

export interface ReliabilitySection {
  bins: ReliabilityPoint[];
  method?: string;
  ece?: number;
  /** Calibrators tried on the calibration window (the chosen one first). */
  comparison?: { method: string; ece: number; brier: number; logLoss?: number }[];
}

export interface PolicySection {
  sweep: SweepPoint[];
  blockThreshold: number;
  queueThreshold: number;
  feasible: boolean;
  binding: string[];
  constraints: Criterion[];
  /** Expected share of uploads per action. */
  actionShares?: { allow: number; queue: number; block: number };
  maxFpr?: number;
  notes?: string[];
}

export interface SliceRow { slice: string; n: number; positives: number; ap?: ValueCI; recall?: ValueCI; top1Precision?: ValueCI }
export interface SlicesSection { minPositives: number; rows: SliceRow[] }

export interface AttentionSection { rows: AttentionRow[]; note?: string }

export interface LabelNoiseRow { videoId: string; label: number; score: number; reason: string }
export interface LabelNoiseSection { estimatedFlipRate?: ValueCI; method?: string; rows: LabelNoiseRow[] }

export interface LatencySection {
  n: number;
  p50: number;
  p95?: number;
  p99: number;
  mean?: number;
  max?: number;
  budgetMs: number;
  throughputPerS?: number;
  note?: string;
}

export interface ReasonCodeSection { rows: { code: string; modality: string; message: string; share?: number }[] }
