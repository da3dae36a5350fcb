import type { Block, Cell, Section } from './sections.js';
import { plotlyScriptTag } from './plotly.js';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Paragraph text: escaped, with **bold** kept (the only markup the sections use). */
function inline(s: string): string {
  return escapeHtml(s).replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>');
}

const CSS = `
:root { --fg:#1d2330; --muted:#667085; --line:#e4e7ec; --good:#1e8e3e; --warn:#b26a00; --bad:#c0392b; --bg:#f7f8fa; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
header { background:#101828; color:#fff; padding:18px 28px; }
header h1 { margin:0; font-size:20px; } header .sub { color:#cbd5e1; font-size:13px; }
.layout { display:flex; align-items:flex-start; }
nav { position:sticky; top:0; width:230px; padding:16px; font-size:13px; flex-shrink:0; }
nav a { display:block; color:var(--fg); text-decoration:none; padding:3px 6px; border-radius:4px; }
nav a:hover { background:#eaecf0; } nav a.notrun { color:var(--muted); }
nav a .dot { display:inline-block; width:7px; height:7px; border-radius:50%; margin-right:6px; background:var(--good); }
nav a.notrun .dot { background:#d0d5dd; }
main { flex:1; min-width:0; padding:16px 28px 60px; }
section { background:#fff; border:1px solid var(--line); border-radius:8px; padding:16px 20px; margin-bottom:18px; }
section h2 { margin:0 0 10px; font-size:17px; }
section.notrun .notice { color:var(--muted); font-style:italic; }
table { border-collapse:collapse; margin:8px 0 14px; font-size:13px; }
caption { text-align:left; font-weight:600; padding:4px 0; }
th, td { border-bottom:1px solid var(--line); padding:4px 10px; text-align:left; vertical-align:top; }
th { background:#f2f4f7; font-weight:600; }
td.num { font-variant-numeric: tabular-nums; }
dl.kv { display:grid; grid-template-columns:max-content 1fr; gap:2px 16px; margin:6px 0 12px; }
dl.kv dt { color:var(--muted); } dl.kv dd { margin:0; font-variant-numeric: tabular-nums; }
.good { color:var(--good); font-weight:600; } .warn { color:var(--warn); font-weight:600; } .bad { color:var(--bad); font-weight:600; } .muted { color:var(--muted); }
figure.chart { margin:10px 0 16px; overflow-x:auto; } figure.chart svg { max-width:100%; height:auto; }
figcaption { color:var(--muted); font-size:12px; }
.slider { display:block; margin:6px 0; font-size:13px; } .slider input { width:320px; vertical-align:middle; }
footer { color:var(--muted); font-size:12px; padding:0 28px 30px; }
`;

function cell(c: string | Cell): string {
  if (typeof c === 'string') return `<td>${escapeHtml(c)}</td>`;
  return `<td${c.tone ? ` class="${c.tone}"` : ''}>${escapeHtml(c.text)}</td>`;
}

function block(b: Block): string {
  switch (b.kind) {
    case 'para':
      return `<p${b.tone ? ` class="${b.tone}"` : ''}>${inline(b.text)}</p>`;
    case 'kv':
      return `<dl class="kv">${b.items.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
    case 'table':
      return `<table>${b.caption ? `<caption>${escapeHtml(b.caption)}</caption>` : ''}<thead><tr>${b.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>` +
        `<tbody>${b.rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table>`;
    case 'chart':
      // The SVG comes from our own vega renderer, so it is inserted as markup.
      return `<figure class="chart" data-chart="${escapeHtml(b.name)}">${b.svg}${b.caption ? `<figcaption>${inline(b.caption)}</figcaption>` : ''}</figure>`;
    case 'interactive':
      return `<figure class="interactive" data-interactive="${escapeHtml(b.name)}">${b.html}${b.caption ? `<figcaption>${inline(b.caption)}</figcaption>` : ''}</figure>`;
  }
}

/** A self-contained HTML page: inline CSS, inline SVG, inline plotly when an interactive block exists. */
export function renderHtml(sections: Section[], meta: { title: string; subtitle?: string; generatedAt: string }): string {
  const needsPlotly = sections.some((s) => s.blocks.some((b) => b.kind === 'interactive'));
  const nav = sections.map((s) => `<a href="#${s.id}"${s.ran ? '' : ' class="notrun"'}><span class="dot"></span>${escapeHtml(s.title)}${s.ran ? '' : ' (not run)'}</a>`).join('\n');
  const body = sections.map((s) => s.ran
    ? `<section id="${s.id}"><h2>${escapeHtml(s.title)}</h2>\n${s.blocks.map(block).join('\n')}\n</section>`
    : `<section id="${s.id}" class="notrun"><h2>${escapeHtml(s.title)}</h2><p class="notice">Not run: this stage produced no results for this run.</p></section>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(meta.title)}</title>
<style>${CSS}</style>
</head><body>
${needsPlotly ? plotlyScriptTag() : ''}
<header><h1>${escapeHtml(meta.title)}</h1>${meta.subtitle ? `<div class="sub">${escapeHtml(meta.subtitle)}</div>` : ''}</header>
<div class="layout"><nav>${nav}</nav><main>
${body}
</main></div>
<footer>Generated ${escapeHtml(meta.generatedAt)}. Self-contained: works offline.</footer>
</body></html>
`;
}
