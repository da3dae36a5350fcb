import { DecisionTreeRegression, type CartNodeJSON } from 'ml-cart';
import type { VideoTable } from '../../data/table.js';
import type { FittedPreprocessor } from '../../features/preprocess.js';
import { isColdStart } from '../../features/metaEncoder.js';
import { VigilError } from '../../util/errors.js';
import { createRng } from '../../util/rng.js';

/**
 * Metadata-only CART baseline (ml-cart regression tree on the 0/1 label, so a leaf holds the
 * harmful rate). Features are raw and readable (missing → −1) so the tree prints as rules a reviewer
 * can check. Negatives are subsampled to bound ml-cart's cost; leaf rates are corrected back with
 * q = p / (p + (1 − p) / w).
 */
export interface CartModel {
  kind: 'cart';
  names: string[];
  countryLevels: string[];
  deviceLevels: string[];
  coldStartDays: number;
  /** Fraction of negatives the tree was fitted on. */
  negativeKeepRate: number;
  root: CartNodeJSON;
}

export interface CartOptions { maxDepth: number; minNumSamples: number; maxRows: number; seed: number }
export const DEFAULT_CART: CartOptions = { maxDepth: 4, minNumSamples: 40, maxRows: 3000, seed: 3 };

export function cartFeatureNames(fitted: FittedPreprocessor): string[] {
  return ['duration_s', 'account_age_days', 'prior_strikes', 'upload_hour', 'cold_start',
    ...fitted.meta.countryLevels.map((l) => `country=${l}`), ...fitted.meta.deviceLevels.map((l) => `device=${l}`)];
}

function cartRow(m: Pick<CartModel, 'countryLevels' | 'deviceLevels' | 'coldStartDays'>, t: VideoTable, r: number): number[] {
  const nz = (x: number) => (Number.isNaN(x) ? -1 : x);
  const enc = { coldStartDays: m.coldStartDays } as Parameters<typeof isColdStart>[0];
  return [nz(t.durationS[r]), nz(t.accountAgeDays[r]), nz(t.priorStrikes[r]), t.uploadHour[r], isColdStart(enc, t, r) ? 1 : 0,
    ...m.countryLevels.map((l) => (t.country[r] === l ? 1 : 0)), ...m.deviceLevels.map((l) => (t.device[r] === l ? 1 : 0))];
}

export function fitCart(table: VideoTable, trainRows: ArrayLike<number>, fitted: FittedPreprocessor, opts: Partial<CartOptions> = {}): CartModel {
  const o = { ...DEFAULT_CART, ...opts };
  const rows = Array.from(trainRows);
  const pos = rows.filter((r) => table.harmful[r] === 1);
  const neg = rows.length - pos.length;
  if (pos.length === 0) throw new VigilError("'harmful': the CART baseline needs positive training rows", { field: 'harmful' });
  const w = Math.min(1, Math.max(o.maxRows - pos.length, 1) / Math.max(neg, 1));
  const rng = createRng(o.seed);
  const fitRows = rows.filter((r) => table.harmful[r] === 1 || rng.next() < w);
  const base = { countryLevels: fitted.meta.countryLevels, deviceLevels: fitted.meta.deviceLevels, coldStartDays: fitted.meta.coldStartDays };
  const tree = new DecisionTreeRegression({ gainFunction: 'regression', splitFunction: 'mean', maxDepth: o.maxDepth, minNumSamples: o.minNumSamples });
  tree.train(fitRows.map((r) => cartRow(base, table, r)), fitRows.map((r) => table.harmful[r]));
  return { kind: 'cart', names: cartFeatureNames(fitted), ...base, negativeKeepRate: w, root: JSON.parse(JSON.stringify(tree.toJSON().root)) };
}

function leafValue(node: CartNodeJSON): number {
  const d = node.distribution;
  return typeof d === 'number' ? d : Array.isArray(d) ? Number(d.flat()[0]) : NaN;
}

/** Probability of harmful per row, corrected for the negative subsampling. */
export function predictCart(m: CartModel, table: VideoTable, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const x = cartRow(m, table, rows[k]);
    let node = m.root;
    while (node.left && node.right && node.splitColumn !== undefined) node = x[node.splitColumn] < node.splitValue! ? node.left : node.right;
    const p = leafValue(node);
    out[k] = p / (p + (1 - p) / m.negativeKeepRate);
  }
  return out;
}

/** The tree as nested if/else rules with corrected leaf probabilities. */
export function cartRules(m: CartModel): string {
  const lines: string[] = [];
  const cond = (col: number, v: number, less: boolean): string => {
    const name = m.names[col];
    if (name.includes('=') || name === 'cold_start') return less ? `${name.replace('=', ' != ')}`.replace(/^cold_start$/, 'not cold_start') : `${name.replace('=', ' == ')}`;
    return `${name} ${less ? '<' : '>='} ${Number(v.toFixed(3))}`;
  };
  const walk = (n: CartNodeJSON, depth: number): void => {
    const pad = '  '.repeat(depth);
    if (!(n.left && n.right) || n.splitColumn === undefined) {
      const p = leafValue(n);
      lines.push(`${pad}risk = ${(p / (p + (1 - p) / m.negativeKeepRate)).toFixed(4)}`);
      return;
    }
    lines.push(`${pad}if (${cond(n.splitColumn, n.splitValue!, true)}) {`);
    walk(n.left, depth + 1);
    lines.push(`${pad}} else {  // ${cond(n.splitColumn, n.splitValue!, false)}`);
    walk(n.right, depth + 1);
    lines.push(`${pad}}`);
  };
  walk(m.root, 0);
  return lines.join('\n');
}
