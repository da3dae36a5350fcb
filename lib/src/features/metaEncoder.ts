import type { VideoTable } from '../data/table.js';
import type { FeaturesConfig } from './config.js';

/**
 * Metadata encoding. Missing metadata (new accounts, or a dataset without those columns) is a signal
 * and a slice, not a reason to drop rows: every numeric column (NaN = missing) gets an explicit missing
 * indicator and its standardised value is 0. An unknown upload hour (-1) encodes as sin = cos = 0, with
 * its own indicator when the training rows have unknown hours (datasets with every hour known keep
 * the layout they always had).
 */
export interface FittedMetaEncoder {
  /** Levels kept for one-hot; anything else (rare in train, or unseen) maps to the OTHER slot. */
  countryLevels: string[];
  deviceLevels: string[];
  /** Train mean/std of log1p(max(x,0)) over non-missing values, per numeric column. */
  numeric: { column: NumericColumn; mean: number; std: number }[];
  coldStartDays: number;
  /** A `missing_upload_hour` indicator follows the hour's sin/cos (absent in encoders fitted before it existed). */
  hourMissingIndicator?: boolean;
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
  let hourMissingIndicator = false;
  for (let k = 0; k < trainRows.length && !hourMissingIndicator; k++) if (!hourKnown(table.uploadHour[trainRows[k]])) hourMissingIndicator = true;
  if (hourMissingIndicator) names.push('missing_upload_hour');
  return { countryLevels, deviceLevels, numeric, coldStartDays: cfg.coldStartDays, ...(hourMissingIndicator ? { hourMissingIndicator } : {}), names };
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
  const hour = table.uploadHour[row];
  const known = hourKnown(hour);
  const angle = (2 * Math.PI * hour) / 24;
  out[p++] = known ? Math.sin(angle) : 0;
  out[p++] = known ? Math.cos(angle) : 0;
  if (enc.hourMissingIndicator) out[p++] = known ? 0 : 1;
}

/** Hours are 0–23; -1 (or anything else) means unknown. */
function hourKnown(h: number): boolean {
  return Number.isInteger(h) && h >= 0 && h <= 23;
}
