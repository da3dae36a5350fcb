import { join } from 'node:path';
import type { Command } from '../command.js';
import { VigilError } from '../../util/errors.js';
import { readRun, resolveRunDir } from '../../runs/runFolder.js';
import { reportInputFromRun } from '../../report/fromRun.js';
import { writeReport, REPORT_INPUT_FILE } from '../../report/render.js';
import { reportsDirFor, writeReportsIndex } from '../../report/index.js';
import type { ReportInput } from '../../report/types.js';
import { readSavedReportInput } from '../../report/savedInput.js';

export const reportCommand: Command = {
  name: 'report',
  usage: [
    'Usage: vigil report [RUN] [--dir DIR] [--reports DIR] [--out DIR]',
    '',
    '  RUN            run id under --dir, or a run folder; omit to only rebuild the index',
    '  --dir DIR      runs folder (default experiments/runs)',
    '  --reports DIR  where the index goes: index.html + index.md (default: beside the runs folder,',
    '                 <parent of DIR>/reports; reports for the default experiments/runs)',
    '  --out DIR      where the re-rendered report.html/report.md go (default REPORTS/<run id>);',
    '                 the run folder itself is never modified (its manifest hashes its files)',
    '',
    'The report is built from the run\'s manifest.json, metrics.json and policy.json, plus',
    `${REPORT_INPUT_FILE} when the run saved one (curves, sweep, drift, latency...).`,
  ].join('\n'),
  options: { dir: { type: 'string' }, reports: { type: 'string' }, out: { type: 'string' } },
  async run(values, positionals) {
    const runsDir = (values.dir as string | undefined) ?? 'experiments/runs';
    const reportsDir = (values.reports as string | undefined) ?? reportsDirFor(runsDir);
    if (positionals.length > 1) throw new VigilError('vigil report: at most one RUN', { field: 'run' });
    if (positionals.length === 1) {
      const run = readRun(resolveRunDir(positionals[0], runsDir));
      // Checked against its schema (artifacts/reportInput.ts); each section is the report's own type.
      const extras: Partial<ReportInput> = readSavedReportInput(run.dir) ?? {};
      const out = (values.out as string | undefined) ?? join(reportsDir, run.id);
      const files = await writeReport(out, reportInputFromRun(run, extras));
      console.log(`report: ${files.html}\n        ${files.md}`);
    }
    const idx = writeReportsIndex(runsDir, reportsDir);
    console.log(`index:  ${idx.html} (${idx.rows.length} runs)`);
    return 0;
  },
};
