import type { ValueCI } from '../runs/metricsFile.js';

/** Number formatting shared by the HTML and Markdown reports (so both show the same digits). */
export function pct(x: number | undefined | null, digits = 1): string {
  return x === undefined || x === null || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(digits)}%`;
}

export function pctCi(v: ValueCI | undefined | null, digits = 1): string {
  if (!v) return '—';
  return v.ci ? `${pct(v.value, digits)} [${(v.ci[0] * 100).toFixed(digits)}, ${(v.ci[1] * 100).toFixed(digits)}]` : pct(v.value, digits);
}

export function num(x: number | undefined | null, digits = 4): string {
  if (x === undefined || x === null || !Number.isFinite(x)) return '—';
  if (Number.isInteger(x) && Math.abs(x) >= 1) return x.toLocaleString('en-US');
  return x.toFixed(digits);
}

export function numCi(v: ValueCI | undefined | null, digits = 3): string {
  if (!v) return '—';
  return v.ci ? `${v.value.toFixed(digits)} [${v.ci[0].toFixed(digits)}, ${v.ci[1].toFixed(digits)}]` : v.value.toFixed(digits);
}

export function ms(x: number | undefined | null): string {
  return x === undefined || x === null || !Number.isFinite(x) ? '—' : `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms`;
}
