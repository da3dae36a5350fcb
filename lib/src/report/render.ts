import { join } from 'node:path';
import type { ReportInput } from './types.js';
import { buildSections } from './sections.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { writeFileAtomic } from '../util/atomic.js';

/** Render a run's report in both formats from one set of sections. */
export interface RenderOptions {
  /** Include the plotly threshold explorer (default true). */
  interactive?: boolean;
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
  return { html: join(dir, 'report.html'), md: join(dir, 'report.md') };
}
