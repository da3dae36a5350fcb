import { readFileSync } from 'node:fs';
import type { SweepPoint } from './charts.js';

let bundle: string | null = null;

/**
 * The plotly.js bundle as an inline <script>, so a report works offline (no CDN). Include it once
 * per page, before any explorer. `</script` cannot occur inside an inline script, so it is escaped
 * (`<\/` means the same thing inside JS strings and regexes).
 */
export function plotlyScriptTag(): string {
  if (bundle === null) {
    const path = require.resolve('plotly.js-dist-min/plotly.min.js');
    bundle = readFileSync(path, 'utf8').replace(/<\/script/gi, '<\\/script');
  }
  return `<script>${bundle}</script>`;
}

/** Escape a JSON payload for embedding in an inline script. */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * An interactive threshold explorer: recall / FPR / precision / flagged share against the threshold,
 * with the chosen QUEUE and BLOCK thresholds drawn, and a slider that reads out the operating point at
 * any threshold (what a policy reviewer wants to try). Needs plotlyScriptTag() earlier in the page.
 */
export function thresholdExplorerHtml(id: string, points: SweepPoint[], opts: { block?: number; queue?: number; maxFpr?: number } = {}): string {
  const pts = points.filter((p) => p.threshold > 0).sort((a, b) => a.threshold - b.threshold);
  const data = {
    t: pts.map((p) => p.threshold), recall: pts.map((p) => p.recall), fpr: pts.map((p) => p.fpr),
    precision: pts.map((p) => p.precision), flagged: pts.map((p) => p.flagged),
    block: opts.block ?? null, queue: opts.queue ?? null, maxFpr: opts.maxFpr ?? null,
  };
  const safe = id.replace(/[^A-Za-z0-9_-]/g, '_');
  return `<div class="explorer">
<div id="${safe}" class="plotly-explorer" style="width:100%;max-width:900px;height:420px"></div>
<label class="slider">threshold <input type="range" id="${safe}-slider" min="0" max="${Math.max(0, pts.length - 1)}" value="0" step="1"> <output id="${safe}-out"></output></label>
<script>
(function () {
  var d = ${scriptJson(data)};
  var el = document.getElementById(${scriptJson(safe)});
  if (!window.Plotly || d.t.length === 0) { el.textContent = 'threshold explorer unavailable (no sweep points)'; return; }
  var line = function (y, name, color) { return { x: d.t, y: y, name: name, mode: 'lines', line: { color: color, width: 2 }, hovertemplate: name + ' %{y:.4f} at t=%{x:.4g}<extra></extra>' }; };
  var shapes = [];
  var mark = function (t, color) { return { type: 'line', xref: 'x', yref: 'paper', x0: t, x1: t, y0: 0, y1: 1, line: { color: color, width: 2 } }; };
  if (d.queue !== null) shapes.push(mark(d.queue, '#e67e22'));
  if (d.block !== null) shapes.push(mark(d.block, '#c0392b'));
  if (d.maxFpr !== null) shapes.push({ type: 'line', xref: 'paper', yref: 'y', x0: 0, x1: 1, y0: d.maxFpr, y1: d.maxFpr, line: { color: '#c0392b', width: 1, dash: 'dot' } });
  var base = shapes.length;
  var layout = { margin: { t: 50, r: 10, b: 50, l: 50 }, xaxis: { type: 'log', title: { text: 'threshold on calibrated risk (log)' } },
    yaxis: { range: [0, 1], title: { text: 'rate' } }, legend: { orientation: 'h', x: 0, y: 1.14 }, shapes: shapes,
    annotations: [d.queue !== null ? { x: Math.log10(d.queue), y: 1, yref: 'paper', text: 'QUEUE', showarrow: false, xanchor: 'left', font: { color: '#e67e22' } } : null,
      d.block !== null ? { x: Math.log10(d.block), y: 1, yref: 'paper', text: 'BLOCK', showarrow: false, xanchor: 'left', font: { color: '#c0392b' } } : null].filter(Boolean) };
  Plotly.newPlot(el, [line(d.recall, 'recall', '#2e86de'), line(d.precision, 'precision', '#27ae60'), line(d.fpr, 'FPR', '#c0392b'), line(d.flagged, 'flagged share', '#8e44ad')], layout, { displaylogo: false, responsive: true });
  var slider = document.getElementById(${scriptJson(safe + '-slider')});
  var out = document.getElementById(${scriptJson(safe + '-out')});
  var pct = function (v) { return (v * 100).toFixed(2) + '%'; };
  var show = function () {
    var i = Number(slider.value);
    out.textContent = 't=' + d.t[i].toPrecision(3) + ': recall ' + pct(d.recall[i]) + ', FPR ' + pct(d.fpr[i]) + ', precision ' + pct(d.precision[i]) + ', flagged ' + pct(d.flagged[i]);
    Plotly.relayout(el, { shapes: shapes.slice(0, base).concat([{ type: 'line', xref: 'x', yref: 'paper', x0: d.t[i], x1: d.t[i], y0: 0, y1: 1, line: { color: '#555', width: 1, dash: 'dash' } }]) });
  };
  var start = d.queue !== null ? d.t.findIndex(function (t) { return t >= d.queue; }) : 0;
  slider.value = String(start < 0 ? 0 : start);
  slider.addEventListener('input', show);
  show();
})();
</script>
</div>`;
}
