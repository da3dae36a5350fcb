import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../command.js';
import { intOption, requireString } from '../command.js';
import { VigilError } from '../../util/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../../util/atomic.js';
import { readVideoTable } from '../../data/parquet.js';
import { resolveRunDir } from '../../runs/runFolder.js';
import { computeDrift, formatDrift, REFERENCE_FILE } from '../../monitor/drift.js';
import { readScoresFile } from '../../monitor/scores.js';
import { scoreWithOnnx } from '../../serve/scoreRows.js';
import { readRunFile } from '../../artifacts/runFiles.js';
import { renderReport } from '../../report/render.js';

export const monitorCommand: Command = {
  name: 'monitor',
  usage: [
    'Usage: vigil monitor --run RUN --data DIR [--out FILE] [--html FILE] [--scores FILE | --no-score] [--min-rows N] [--fail-on warn|alert]',
    '',
    '  --run RUN        run folder (or run id under experiments/runs) holding reference.json',
    '  --data DIR       dataset folder (or videos.parquet) to monitor',
    '  --out FILE       write the drift report as JSON',
    '  --html FILE      write a self-contained HTML drift report',
    '  --scores FILE    model scores for the data (JSONL of {video_id, risk_score}, as `vigil score` writes);',
    '                   every video needs a score. Without it the run\'s own model scores the data (when the',
    '                   run folder has one); --no-score leaves score PSI out',
    '  --min-rows N     weeks with fewer videos are shown but never alert (default 200)',
    '  --fail-on LEVEL  exit 1 when the overall level reaches warn or alert (default: always exit 0)',
    '',
    'PSI levels: < 0.1 ok, 0.1–0.25 warn, ≥ 0.25 alert.',
  ].join('\n'),
  options: {
    run: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' }, html: { type: 'string' },
    scores: { type: 'string' }, 'no-score': { type: 'boolean' }, 'min-rows': { type: 'string' }, 'fail-on': { type: 'string' },
  },
  async run(values) {
    const runDir = resolveRunDir(requireString(values, 'run', 'monitor'), 'experiments/runs');
    const data = requireString(values, 'data', 'monitor');
    const failOn = values['fail-on'];
    if (failOn !== undefined && failOn !== 'warn' && failOn !== 'alert') throw new VigilError(`--fail-on: expected warn or alert, got '${String(failOn)}'`, { field: 'fail-on' });
    const refPath = join(runDir, REFERENCE_FILE);
    if (!existsSync(refPath)) throw new VigilError(`run '${runDir}' has no ${REFERENCE_FILE} (the drift reference written at training time)`, { field: REFERENCE_FILE });
    const ref = readRunFile(runDir, REFERENCE_FILE);
    // New data is often not labelled yet: labels are optional here (prevalence is shown when present).
    const table = await readVideoTable(data, { requireLabels: false });
    const scores = typeof values.scores === 'string' ? readScoresFile(values.scores, table)
      : values['no-score'] === true || !existsSync(join(runDir, 'model.onnx')) ? undefined
      : (await scoreWithOnnx(runDir, table, Array.from({ length: table.n }, (_, i) => i))).risk;
    const report = computeDrift(ref, table, { scores, minRows: intOption(values, 'min-rows', 200) });
    console.log(formatDrift(report));
    if (typeof values.out === 'string') { writeJsonAtomic(values.out, report); console.log(`\nwrote ${values.out}`); }
    if (typeof values.html === 'string') {
      const { html } = await renderReport({ runId: runDir, title: `Vigil drift: ${data} vs ${runDir}`, drift: report }, { omitNotRun: true, interactive: false });
      writeFileAtomic(values.html, html);
      console.log(`wrote ${values.html}`);
    }
    const rank = { ok: 0, warn: 1, alert: 2 } as const;
    return failOn && rank[report.level] >= rank[failOn as 'warn' | 'alert'] ? 1 : 0;
  },
};
