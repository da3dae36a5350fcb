import { join } from 'node:path';
import type { ReportInput } from './types.js';
import { buildSections } from './sections.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { writeFileAtomic } from '../util/atomic.js';
import { writeRunFile } from '../artifacts/runFiles.js';
import { thin } from './charts.js';

/** Render a run's report in both formats from one set of sections. */
export interface RenderOptions {
  /** Include the plotly threshold explorer (default true). */
  interactive?: boolean;
  /** Also save the input as report-input.json (curves thinned) so the report can be re-rendered later. */
  saveInput?: boolean;
  /** Leave out sections whose stage did not run (for partial reports such as a drift check). */
  omitNotRun?: boolean;
  now?: Date;
}

export async function renderReport(input: ReportInput, opts: RenderOptions = {}): Promise<{ html: string; md: string }> {
  const all = await buildSections(input, opts);
  const sections = opts.omitNotRun ? all.filter((s) => s.ran) : all;
  const meta = {
    title: input.title ?? `Vigil run ${input.runId}`,
    subtitle: [input.overview?.configName ? `config ${input.overview.configName}` : '', input.createdAt ? `created ${input.createdAt}` : ''].filter(Boolean).join(' · '),
    generatedAt: (opts.now ?? new Date()).toISOString(),
  };
  return { html: renderHtml(sections, meta), md: renderMarkdown(sections, meta) };
}

/** Write report.html and report.md into `dir` (a run folder, or its temporary build folder). */
export async function writeReport(dir: string, input: ReportInput, opts: RenderOptions = {}): Promise<{ html: string; md: string }> {
  const r = await renderReport(input, opts);
  writeFileAtomic(join(dir, 'report.html'), r.html);
  writeFileAtomic(join(dir, 'report.md'), r.md);
  if (opts.saveInput) writeRunFile(dir, REPORT_INPUT_FILE, compactReportInput(input));
  return { html: join(dir, 'report.html'), md: join(dir, 'report.md') };
}

/** Where a run keeps the inputs of its report. */
export const REPORT_INPUT_FILE = 'report-input.json' as const;

/** The input with curves and sweep thinned to what the charts draw (keeps report-input.json small). */
export function compactReportInput(input: ReportInput): ReportInput {
  const out: ReportInput = { ...input };
  if (input.curves) {
    out.curves = { ...input.curves, pr: input.curves.pr.map((s) => ({ ...s, points: thin(s.points) })), roc: input.curves.roc.map((s) => ({ ...s, points: thin(s.points) })) };
  }
  if (input.policy) out.policy = { ...input.policy, sweep: thin(input.policy.sweep) };
  return out;
}
