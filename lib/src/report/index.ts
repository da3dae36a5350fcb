import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { listRuns, readRun, type RunSummary } from '../runs/runFolder.js';
import { currentPromoted, gateOf } from '../runs/promote.js';
import { compareRuns } from '../runs/compare.js';
import { writeFileAtomic } from '../util/atomic.js';
import { escapeHtml } from './html.js';
import { pctCi } from './format.js';

export interface IndexRow {
  run: RunSummary;
  promoted: boolean;
  /** Gate verdict of this run against the run listed before it (null for the first). */
  vsPrevious: 'promote' | 'reject' | null;
  /** Path of report.html relative to the reports folder, or null when the run has none. */
  reportHref: string | null;
  reportMdHref: string | null;
}

/** The index rows, newest first. */
export function indexRows(runsDir: string, reportsDir: string): IndexRow[] {
  const runs = listRuns(runsDir);
  const promoted = currentPromoted(runsDir);
  const rows: IndexRow[] = [];
  for (let i = 0; i < runs.length; i++) {
    const r = runs[i];
    let vs: IndexRow['vsPrevious'] = null;
    if (i > 0) {
      try {
        const b = readRun(r.dir);
        vs = compareRuns(readRun(runs[i - 1].dir), b, gateOf(b)).verdict;
      } catch {
        vs = null;
      }
    }
    const href = (f: string) => (existsSync(join(r.dir, f)) ? relative(reportsDir, join(r.dir, f)).split('\\').join('/') : null);
    rows.push({ run: r, promoted: r.id === promoted, vsPrevious: vs, reportHref: href('report.html'), reportMdHref: href('report.md') });
  }
  return rows.reverse();
}

function renderIndexHtml(rows: IndexRow[], generatedAt: string): string {
  const tr = rows.map((x) => `<tr${x.promoted ? ' class="promoted"' : ''}>
<td>${x.promoted ? '★ ' : ''}${x.reportHref ? `<a href="${escapeHtml(x.reportHref)}">${escapeHtml(x.run.id)}</a>` : escapeHtml(x.run.id)}</td>
<td>${escapeHtml(x.run.configName ?? '—')}</td><td>${escapeHtml(x.run.createdAt)}</td>
<td>${pctCi(x.run.ap)}</td><td>${pctCi(x.run.recallAt2Fpr)}</td><td>${pctCi(x.run.top1Precision)}</td>
<td>${x.run.feasible === null ? '—' : x.run.feasible ? 'yes' : '<b class="bad">no</b>'}</td>
<td>${x.vsPrevious === null ? '—' : x.vsPrevious === 'promote' ? '<span class="good">passes</span>' : '<b class="bad">fails</b>'}</td></tr>`).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Vigil runs</title><style>
body{font:14px/1.5 system-ui,sans-serif;margin:24px;color:#1d2330} table{border-collapse:collapse} th,td{border-bottom:1px solid #e4e7ec;padding:4px 10px;text-align:left}
th{background:#f2f4f7} tr.promoted{background:#fff8e1} .good{color:#1e8e3e} .bad{color:#c0392b} .muted{color:#667085}
</style></head><body><h1>Vigil runs</h1>
<p class="muted">Newest first. ★ = promoted (serving). Metrics on the recent-time test set with 95% group-bootstrap intervals. “Gate vs previous”: the promotion gate applied to each run against the run before it.</p>
<table><thead><tr><th>run</th><th>config</th><th>created</th><th>AP</th><th>recall @ 2% FPR</th><th>top-1% precision</th><th>feasible</th><th>gate vs previous</th></tr></thead>
<tbody>${tr || '<tr><td colspan="8" class="muted">no complete runs yet</td></tr>'}</tbody></table>
<p class="muted">Generated ${escapeHtml(generatedAt)}.</p></body></html>
`;
}

function renderIndexMd(rows: IndexRow[], generatedAt: string): string {
  const out = ['# Vigil runs', '', 'Newest first. ★ = promoted. Metrics on the recent-time test set with 95% intervals.', '',
    '| run | config | AP | recall @ 2% FPR | top-1% precision | feasible | gate vs previous |', '|---|---|---|---|---|---|---|'];
  for (const x of rows) {
    const name = x.reportMdHref ? `[${x.run.id}](${x.reportMdHref})` : x.run.id;
    out.push(`| ${x.promoted ? '★ ' : ''}${name} | ${x.run.configName ?? '—'} | ${pctCi(x.run.ap)} | ${pctCi(x.run.recallAt2Fpr)} | ${pctCi(x.run.top1Precision)} | ${x.run.feasible === null ? '—' : x.run.feasible ? 'yes' : 'no'} | ${x.vsPrevious === null ? '—' : x.vsPrevious === 'promote' ? 'passes' : 'fails'} |`);
  }
  if (!rows.length) out.push('| _no complete runs yet_ | | | | | | |');
  out.push('', `_Generated ${generatedAt}._`, '');
  return out.join('\n');
}

/**
 * Where the index of a runs folder goes: beside the runs it lists, never wherever the command
 * happened to be started. The repository layout `<root>/experiments/runs` keeps its index at
 * `<root>/reports`; any other runs folder X gets `<parent of X>/reports` (the folder that holds X).
 * Returned relative to `cwd` when it lies under it (for messages), absolute otherwise.
 */
export function reportsDirFor(runsDir: string, cwd = process.cwd()): string {
  const abs = resolve(cwd, runsDir);
  const parent = dirname(abs);
  const dir = basename(abs) === 'runs' && basename(parent) === 'experiments' ? join(dirname(parent), 'reports') : join(parent, 'reports');
  const rel = relative(cwd, dir);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : dir;
}

/** Write `reports/index.html` and `reports/index.md` listing every complete run. */
export function writeReportsIndex(runsDir: string, reportsDir: string, now = new Date()): { html: string; md: string; rows: IndexRow[] } {
  const rows = indexRows(runsDir, reportsDir);
  const at = now.toISOString();
  const html = join(reportsDir, 'index.html');
  const md = join(reportsDir, 'index.md');
  writeFileAtomic(html, renderIndexHtml(rows, at));
  writeFileAtomic(md, renderIndexMd(rows, at));
  return { html, md, rows };
}
