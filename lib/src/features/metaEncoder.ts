import type { VideoTable } from '../data/table.js';
import type { FeaturesConfig } from './config.js';

/**
 * Metadata encoding. Missing metadata (new accounts) is a signal and a slice, not a reason to drop
 * rows: every nullable numeric gets an explicit missing indicator and its standardised value is 0.
 */
export interface FittedMetaEncoder {
  /** Levels kept for one-hot; anything else (rare in train, or unseen) maps to the OTHER slot. */
  countryLevels: string[];
  deviceLevels: string[];
  /** Train mean/std of log1p(max(x,0)) over non-missing values, per numeric column. */
  numeric: { column: NumericColumn; mean: number; std: number }[];
  coldStartDays: number;
  /** Column names of the encoded vector, in order (for rules, reason codes and debugging). */
  names: string[];
}

export const NUMERIC_COLUMNS = ['durationS', 'accountAgeDays', 'priorStrikes'] as const;
export type NumericColumn = (typeof NUMERIC_COLUMNS)[number];

/** Levels seen at least `minCount` times among `rows`, sorted for a stable layout. */
export function frequentLevels(values: (string | null)[], rows: ArrayLike<number>, minCount: number): string[] {
  const counts = new Map<string, number>();
  for (let k = 0; k < rows.length; k++) {
    const v = values[rows[k]];
    if (v === null || v === undefined) continue;
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return [...counts].filter(([, c]) => c >= minCount).map(([v]) => v).sort();
}

export function fitMetaEncoder(table: VideoTable, trainRows: ArrayLike<number>, cfg: FeaturesConfig): FittedMetaEncoder {
  const countryLevels = frequentLevels(table.country, trainRows, cfg.minLevelCount);
  const deviceLevels = frequentLevels(table.device, trainRows, cfg.minLevelCount);
  const numeric = NUMERIC_COLUMNS.map((column) => {
    const col = table[column];
    let s = 0, s2 = 0, n = 0;
    for (let k = 0; k < trainRows.length; k++) {
      const x = col[trainRows[k]];
      if (Number.isNaN(x)) continue;
      const v = Math.log1p(Math.max(x, 0));
      s += v; s2 += v * v; n++;
    }
    const mean = n > 0 ? s / n : 0;
    const variance = n > 1 ? Math.max(s2 / n - mean * mean, 0) : 0;
    // A constant column standardises to 0 instead of dividing by zero.
    return { column, mean, std: variance > 1e-12 ? Math.sqrt(variance) : 1 };
  });
  const names = [
    ...countryLevels.map((l) => `country=${l}`), 'country=OTHER',
    ...deviceLevels.map((l) => `device=${l}`), 'device=OTHER',
    ...NUMERIC_COLUMNS.map((c) => `log1p_${c}`),
    ...NUMERIC_COLUMNS.map((c) => `missing_${c}`),
    'cold_start', 'upload_hour_sin', 'upload_hour_cos',
  ];
  return { countryLevels, deviceLevels, numeric, coldStartDays: cfg.coldStartDays, names };
}

export function metaDim(enc: FittedMetaEncoder): number {
  return enc.names.length;
}

/** True when the upload comes from a new (or unknown-age) account. */
export function isColdStart(enc: FittedMetaEncoder, table: VideoTable, row: number): boolean {
  const age = table.accountAgeDays[row];
  return Number.isNaN(age) || age < enc.coldStartDays;
}

/** Encode row `row` of `table` into `out` at `offset` (length metaDim). */
export function encodeMeta(enc: FittedMetaEncoder, table: VideoTable, row: number, out: Float32Array, offset: number): void {
  let p = offset;
  const oneHot = (levels: string[], v: string) => {
    const i = levels.indexOf(v);
    for (let j = 0; j <= levels.length; j++) out[p + j] = 0;
    out[p + (i < 0 ? levels.length : i)] = 1;
    p += levels.length + 1;
  };
  oneHot(enc.countryLevels, table.country[row]);
  oneHot(enc.deviceLevels, table.device[row]);
  const missing: number[] = [];
  for (const { column, mean, std } of enc.numeric) {
    const x = table[column][row];
    const miss = Number.isNaN(x);
    out[p++] = miss ? 0 : (Math.log1p(Math.max(x, 0)) - mean) / std;
    missing.push(miss ? 1 : 0);
  }
  for (const m of missing) out[p++] = m;
  out[p++] = isColdStart(enc, table, row) ? 1 : 0;
  const angle = (2 * Math.PI * table.uploadHour[row]) / 24;
  out[p++] = Math.sin(angle);
  out[p++] = Math.cos(angle);
}
