import { renderVegaLite, type VlSpec } from './vega.js';

/**
 * Static charts for the report and the notebooks: each function takes plain numbers and returns an
 * SVG string (display in a notebook with tslab.display.html). Nothing here computes a metric: the
 * numbers come from eval/policy/monitor, so a chart never disagrees with the tables.
 */

export interface CurveSeries<P> {
  name: string;
  points: P[];
}
export interface PrPoint { recall: number; precision: number }
export interface RocPoint { fpr: number; tpr: number }
export interface ReliabilityPoint {
  /** Mean predicted probability in the bin. */
  predicted: number;
  /** Observed positive rate (weighted). */
  observed: number;
  count: number;
  /** 95% interval of the observed rate, when known. */
  lo?: number;
  hi?: number;
}
export interface SweepPoint {
  threshold: number;
  recall: number;
  fpr: number;
  precision: number;
  /** Share of all uploads at or above the threshold. */
  flagged: number;
}
export interface BarRow {
  label: string;
  value: number;
  lo?: number;
  hi?: number;
  /** Colour group (e.g. 'leaky' vs 'leakage-safe'). */
  group?: string;
  /** Drawn faded (e.g. a slice too small to judge). */
  muted?: boolean;
}
export interface PsiCell {
  week: string; feature: string; psi: number;
  /** Too few rows to judge: drawn faded. */
  muted?: boolean;
}
export interface WeekPoint { week: string; prevalence: number; n: number }
export interface AttentionRow { label: string; weights: number[] }

/** Keep at most `max` points, evenly spaced, always keeping the first and last (curves stay exact at the ends). */
export function thin<T>(points: T[], max = 400): T[] {
  if (points.length <= max) return points;
  const out: T[] = [];
  const step = (points.length - 1) / (max - 1);
  for (let k = 0; k < max; k++) out.push(points[Math.round(k * step)]);
  return out;
}

const W = 420, H = 300;
/** Floor for log axes: a rate of 0 is drawn at the floor instead of disappearing. */
export const LOG_FLOOR = 1e-4;
const clampLog = (x: number) => Math.max(LOG_FLOOR, Math.min(1, x));

/** Precision–recall curves, one line per model, with the prevalence (a random ranker) as a rule. */
export function prCurveSvg(series: CurveSeries<PrPoint>[], opts: { prevalence?: number; title?: string } = {}): Promise<string> {
  const values = series.flatMap((s) => thin(s.points).map((p) => ({ model: s.name, recall: p.recall, precision: p.precision })));
  const layers: VlSpec[] = [{
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
    encoding: {
      x: { field: 'recall', type: 'quantitative', scale: { domain: [0, 1] }, title: 'recall' },
      y: { field: 'precision', type: 'quantitative', scale: { domain: [0, 1] }, title: 'precision' },
      color: { field: 'model', type: 'nominal', title: 'model' },
      order: { field: 'recall', type: 'quantitative' },
    },
  }];
  if (opts.prevalence !== undefined) {
    layers.push({ data: { values: [{ p: opts.prevalence }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#888' }, encoding: { y: { field: 'p', type: 'quantitative' } } });
  }
  return renderVegaLite({ title: opts.title ?? 'Precision–recall (test)', width: W, height: H, data: { values }, layer: layers });
}

/** ROC with a log-scale FPR axis: the operating region (FPR ≤ 2%) is where the decisions are. */
export function rocCurveSvg(series: CurveSeries<RocPoint>[], opts: { markFpr?: number[]; title?: string } = {}): Promise<string> {
  const values = series.flatMap((s) => thin(s.points).filter((p) => p.fpr > 0 || p.tpr > 0).map((p) => ({ model: s.name, fpr: clampLog(p.fpr), tpr: p.tpr })));
  const marks = (opts.markFpr ?? [0.02]).map((f) => ({ f, label: `FPR ${(f * 100).toFixed(1)}%` }));
  return renderVegaLite({
    title: opts.title ?? 'ROC (log FPR)', width: W, height: H,
    layer: [
      {
        data: { values },
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
        encoding: {
          x: { field: 'fpr', type: 'quantitative', scale: { type: 'log', domain: [LOG_FLOOR, 1] }, title: 'false-positive rate (log)' },
          y: { field: 'tpr', type: 'quantitative', scale: { domain: [0, 1] }, title: 'recall (TPR)' },
          color: { field: 'model', type: 'nominal' },
          order: { field: 'fpr', type: 'quantitative' },
        },
      },
      { data: { values: marks }, mark: { type: 'rule', strokeDash: [4, 4], color: '#c0392b' }, encoding: { x: { field: 'f', type: 'quantitative' } } },
      { data: { values: marks }, mark: { type: 'text', align: 'left', dx: 3, dy: -4, color: '#c0392b' }, encoding: { x: { field: 'f', type: 'quantitative' }, y: { value: 8 }, text: { field: 'label' } } },
    ],
  });
}

/** Reliability on log axes: at 0.35% prevalence all the action is below 0.1, invisible on a linear axis. */
export function reliabilitySvg(bins: ReliabilityPoint[], opts: { title?: string } = {}): Promise<string> {
  const values = bins.filter((b) => b.count > 0).map((b) => ({
    predicted: clampLog(b.predicted), observed: clampLog(b.observed), count: b.count,
    lo: clampLog(b.lo ?? b.observed), hi: clampLog(b.hi ?? b.observed),
  }));
  const diag = [{ v: LOG_FLOOR }, { v: 1 }];
  const axis = (title: string) => ({ type: 'quantitative', scale: { type: 'log', domain: [LOG_FLOOR, 1] }, title });
  return renderVegaLite({
    title: opts.title ?? 'Reliability (log–log)', width: W, height: H,
    layer: [
      { data: { values: diag }, mark: { type: 'line', strokeDash: [4, 4], color: '#888' }, encoding: { x: { field: 'v', ...axis('mean predicted probability (log)') }, y: { field: 'v', ...axis('observed positive rate (log)') } } },
      { data: { values }, mark: { type: 'rule', color: '#4c78a8' }, encoding: { x: { field: 'predicted', type: 'quantitative' }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
      { data: { values }, mark: { type: 'circle', color: '#4c78a8', opacity: 0.9 }, encoding: { x: { field: 'predicted', type: 'quantitative' }, y: { field: 'observed', type: 'quantitative' }, size: { field: 'count', type: 'quantitative', title: 'videos', scale: { range: [20, 300] } } } },
    ],
  });
}

/** Recall, FPR, precision and flagged share against the threshold, with the chosen QUEUE and BLOCK marked. */
export function thresholdSweepSvg(points: SweepPoint[], opts: { block?: number; queue?: number; maxFpr?: number; title?: string } = {}): Promise<string> {
  const values = thin(points).filter((p) => p.threshold > 0).flatMap((p) => [
    { threshold: p.threshold, metric: 'recall', value: p.recall },
    { threshold: p.threshold, metric: 'FPR', value: p.fpr },
    { threshold: p.threshold, metric: 'precision', value: p.precision },
    { threshold: p.threshold, metric: 'flagged share', value: p.flagged },
  ]);
  const rules = [
    ...(opts.queue !== undefined ? [{ t: opts.queue, label: 'QUEUE', color: '#e67e22' }] : []),
    ...(opts.block !== undefined ? [{ t: opts.block, label: 'BLOCK', color: '#c0392b' }] : []),
  ];
  const layers: VlSpec[] = [{
    data: { values },
    mark: { type: 'line', strokeWidth: 2 },
    encoding: {
      x: { field: 'threshold', type: 'quantitative', scale: { type: 'log' }, title: 'threshold on calibrated risk (log)' },
      y: { field: 'value', type: 'quantitative', scale: { domain: [0, 1] }, title: 'rate' },
      color: { field: 'metric', type: 'nominal', scale: { domain: ['recall', 'precision', 'FPR', 'flagged share'], range: ['#2e86de', '#27ae60', '#c0392b', '#8e44ad'] } },
      order: { field: 'threshold', type: 'quantitative' },
    },
  }];
  if (opts.maxFpr !== undefined) layers.push({ data: { values: [{ y: opts.maxFpr }] }, mark: { type: 'rule', strokeDash: [2, 2], color: '#c0392b', opacity: 0.6 }, encoding: { y: { field: 'y', type: 'quantitative' } } });
  // One layer per rule with a fixed colour, so the rules do not join the metric legend.
  for (const r of rules) {
    layers.push({ data: { values: [r] }, mark: { type: 'rule', strokeWidth: 2, color: r.color }, encoding: { x: { field: 't', type: 'quantitative' } } });
    layers.push({ data: { values: [r] }, mark: { type: 'text', align: 'left', dx: 4, fontWeight: 'bold', color: r.color }, encoding: { x: { field: 't', type: 'quantitative' }, y: { value: 12 }, text: { field: 'label' } } });
  }
  return renderVegaLite({ title: opts.title ?? 'Threshold sweep', width: W, height: H, layer: layers });
}

/** Horizontal bars with 95% CI error bars (leakage demonstration, slice table). */
export function barsWithCiSvg(rows: BarRow[], opts: { title: string; valueTitle: string; domain?: [number, number] } ): Promise<string> {
  const values = rows.map((r) => ({ label: r.label, value: r.value, lo: r.lo ?? r.value, hi: r.hi ?? r.value, group: r.group ?? '', opacity: r.muted ? 0.35 : 1 }));
  const hasGroups = rows.some((r) => r.group);
  const x = { field: 'value', type: 'quantitative', title: opts.valueTitle, ...(opts.domain ? { scale: { domain: opts.domain } } : {}) };
  return renderVegaLite({
    title: opts.title, width: W, height: Math.max(60, 24 * rows.length),
    data: { values },
    encoding: { y: { field: 'label', type: 'nominal', sort: null, title: null, axis: { grid: false } } },
    layer: [
      { mark: { type: 'bar', height: 14 }, encoding: { x, opacity: { field: 'opacity', type: 'quantitative', scale: null, legend: null }, ...(hasGroups ? { color: { field: 'group', type: 'nominal', title: null } } : {}) } },
      { mark: { type: 'rule', color: '#222' }, encoding: { x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } } },
      { mark: { type: 'tick', color: '#222', thickness: 1, size: 10 }, encoding: { x: { field: 'lo', type: 'quantitative' } } },
      { mark: { type: 'tick', color: '#222', thickness: 1, size: 10 }, encoding: { x: { field: 'hi', type: 'quantitative' } } },
    ],
  });
}

/** PSI by week × feature, coloured at the 0.1 / 0.25 alert levels. */
export function psiHeatmapSvg(cells: PsiCell[], opts: { title?: string } = {}): Promise<string> {
  const values = cells.map((c) => ({ ...c, psiText: c.psi >= 10 ? c.psi.toFixed(0) : c.psi.toFixed(2), opacity: c.muted ? 0.3 : 1 }));
  const features = new Set(cells.map((c) => c.feature)).size;
  const weeks = new Set(cells.map((c) => c.week)).size;
  return renderVegaLite({
    title: opts.title ?? 'PSI by week (vs training reference)',
    width: Math.max(200, Math.min(900, 44 * weeks)), height: Math.max(60, 18 * features),
    data: { values },
    encoding: {
      // No grid on band axes: grid lines run through the band centres, across the cell labels.
      x: { field: 'week', type: 'ordinal', title: 'week starting', axis: { grid: false } },
      // labelLimit 0: without a canvas vega over-estimates text width and would truncate the names.
      y: { field: 'feature', type: 'nominal', sort: null, title: null, axis: { grid: false, labelLimit: 0 } },
    },
    layer: [
      { mark: 'rect', encoding: { opacity: { field: 'opacity', type: 'quantitative', scale: null, legend: null }, color: { field: 'psi', type: 'quantitative', title: 'PSI', scale: { type: 'threshold', domain: [0.1, 0.25], range: ['#d5f5e3', '#fdebd0', '#f5b7b1'] } } } },
      { mark: { type: 'text', fontSize: 9 }, encoding: { text: { field: 'psiText' }, opacity: { field: 'opacity', type: 'quantitative', scale: null, legend: null } } },
    ],
  });
}

/** Positive rate per upload week, with the week's volume in the tooltip-free label. */
export function prevalenceSvg(points: WeekPoint[], opts: { title?: string } = {}): Promise<string> {
  return renderVegaLite({
    title: opts.title ?? 'Prevalence by upload week', width: W, height: 200,
    data: { values: points.map((p) => ({ ...p, pct: p.prevalence * 100 })) },
    layer: [
      { mark: { type: 'line', point: true }, encoding: { x: { field: 'week', type: 'ordinal', title: 'week starting', axis: { grid: false } }, y: { field: 'pct', type: 'quantitative', title: 'harmful %' } } },
    ],
  });
}

/** Attention weights per frame as a heat strip, one row per video. */
export function attentionStripSvg(rows: AttentionRow[], opts: { title?: string } = {}): Promise<string> {
  const values = rows.flatMap((r) => {
    const max = Math.max(1e-12, ...r.weights);
    return r.weights.map((w, i) => ({ video: r.label, frame: i, weight: w, rel: w / max }));
  });
  const maxLen = Math.max(1, ...rows.map((r) => r.weights.length));
  return renderVegaLite({
    title: opts.title ?? 'Frame attention (darker = more weight)',
    width: Math.min(700, Math.max(200, 6 * maxLen)), height: Math.max(40, 22 * rows.length),
    data: { values },
    mark: 'rect',
    encoding: {
      x: { field: 'frame', type: 'ordinal', title: 'frame (1 FPS)', axis: { grid: false, labelExpr: 'datum.value % 10 === 0 ? datum.label : ""' } },
      y: { field: 'video', type: 'nominal', sort: null, title: null, axis: { grid: false } },
      color: { field: 'rel', type: 'quantitative', title: 'weight / max', scale: { scheme: 'orangered', domain: [0, 1] } },
    },
  });
}
