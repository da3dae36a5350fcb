import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../command.js';
import { requireString, intOption } from '../command.js';
import { loadConfig } from '../../config.js';
import { readVideoTable, readTruthTable } from '../../data/parquet.js';
import { makeSplit, splitFingerprint } from '../../split/split.js';
import { writeSplitParquet, splitManifestPath } from '../../split/io.js';
import { reuploadRecall, type ReuploadRecall } from '../../split/reuploadRecall.js';
import { formatSplitSummary } from '../../split/summary.js';
import { writeJsonAtomic } from '../../util/atomic.js';
import { info } from '../../util/progress.js';

export const splitCommand: Command = {
  name: 'split',
  usage: [
    'Usage: vigil split --data DIR --out SPLIT.parquet [--config CONFIG.json] [--seed N] [--set split.key=value ...]',
    '',
    '  --data DIR       dataset folder (videos.parquet; truth.parquet is used only to report re-upload recall)',
    '  --out FILE       where to write the split table: video_id, group_id, split (train|calib|test|purged),',
    '                   fold (forward-chaining block within train; null elsewhere). A manifest with the split',
    '                   fingerprint, audit and report is written next to it as <name>.manifest.json',
    '  --config FILE    experiment config; its "split" section is used (defaults otherwise)',
    '  --seed N         seed for the fingerprint hyperplanes (default: the config\'s data.seed)',
    '  --set k=v        override a config value, e.g. --set split.groupByCreator=true',
    '',
    'Exit status 1 when the audit finds a group shared by two splits or the point-in-time audit fails.',
  ].join('\n'),
  options: {
    data: { type: 'string' },
    out: { type: 'string' },
    config: { type: 'string' },
    seed: { type: 'string' },
    set: { type: 'string', multiple: true },
  },
  async run(values) {
    const data = requireString(values, 'data', 'split');
    const out = requireString(values, 'out', 'split');
    const cfg = loadConfig(values.config as string | undefined, (values.set as string[] | undefined) ?? []);
    const seed = intOption(values, 'seed', cfg.data.seed);
    const t0 = Date.now();
    const table = await readVideoTable(data);
    info(`split: read ${table.n} videos from ${data} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const r = makeSplit(table, cfg.split, seed);
    let recall: ReuploadRecall | undefined;
    const truthPath = existsSync(data) && statSync(data).isDirectory() ? join(data, 'truth.parquet') : '';
    if (truthPath && existsSync(truthPath)) recall = reuploadRecall(r.clusters, table.videoId, await readTruthTable(truthPath));
    writeSplitParquet(out, r.assignment);
    const fingerprint = splitFingerprint(r.assignment);
    writeJsonAtomic(splitManifestPath(out), {
      kind: 'vigil-split', fingerprint, data, rows: table.n, seed, config: cfg.split,
      audit: r.audit, report: r.report, reuploadRecall: recall ?? null, seconds: (Date.now() - t0) / 1000,
    });
    console.log(formatSplitSummary(r.audit, r.report, recall));
    console.log(`\nwrote ${out} (fingerprint ${fingerprint.slice(0, 16)}…) and ${splitManifestPath(out)}`);
    // A leaky feature makes every later metric optimistic: fail loudly (the split is still written).
    const pit = r.report.pointInTime.checks.filter((c) => !c.pass);
    for (const c of pit) console.error(`error: '${c.name}' uses information from after upload_ts in ${c.violations} rows, e.g. ${c.examples[0]?.detail ?? ''}`);
    return r.audit.pass && pit.length === 0 ? 0 : 1;
  },
};
