import type { Command } from '../command.js';
import { requireString } from '../command.js';
import { importToDataset } from '../../data/import.js';
import { VigilError } from '../../util/errors.js';

const optString = (values: Record<string, unknown>, name: string): string | undefined => {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new VigilError(`vigil import: --${name} needs a column name`, { field: name });
  return v;
};

export const importCommand: Command = {
  name: 'import',
  usage: `Usage: vigil import FILE.csv|FILE.jsonl --text COL --label COL [--id COL] [--time COL] [--group COL]
                    [--positive VALUE ...] --out DIR

  FILE            a labelled table: CSV with a header line (RFC 4180 quoting) or JSON Lines (one object a line)
  --text COL      the text column (becomes the transcript)
  --label COL     the label column: 0/1 or true/false, or any values with --positive
  --positive V    a label value that means harmful (repeat for several), e.g. --label class --positive 0
  --id COL        unique id column (default: ids from the row number, row-1, row-2, ...)
  --time COL      time column: ISO 8601 date/date-time (no zone = UTC) or epoch seconds/milliseconds.
                  Without it the dataset has no time and \`vigil split\` makes a stratified group split
  --group COL     author/account column (creator_id: rows of one group never straddle train and test);
                  default: each row is its own group
  --out DIR       dataset folder to write (replaced atomically if it is a dataset folder)

Writes DIR/videos.parquet (a text-only dataset: no frame/audio embeddings, no metadata) and
DIR/import.json (source, columns used, rows, positives, whether times were imported).`,
  options: {
    text: { type: 'string' },
    label: { type: 'string' },
    id: { type: 'string' },
    time: { type: 'string' },
    group: { type: 'string' },
    positive: { type: 'string', multiple: true },
    out: { type: 'string' },
  },
  async run(values, positionals) {
    if (positionals.length !== 1) throw new VigilError(`vigil import: expected one input file, got ${positionals.length}`, { field: 'file' });
    const file = positionals[0];
    const out = requireString(values, 'out', 'import');
    const t0 = Date.now();
    const r = await importToDataset(file, out, {
      text: requireString(values, 'text', 'import'),
      label: requireString(values, 'label', 'import'),
      id: optString(values, 'id'), time: optString(values, 'time'), group: optString(values, 'group'),
      positive: values.positive as string[] | undefined,
    });
    const pct = r.rows > 0 ? ((100 * r.positives) / r.rows).toFixed(2) : '0';
    console.log(`imported ${r.rows} rows from ${file} (${r.format}) in ${((Date.now() - t0) / 1000).toFixed(1)} s → ${out}`);
    console.log(`positives ${r.positives} (${pct}%)` + (r.positiveValues ? ` where '${r.columns.label}' is ${r.positiveValues.map((v) => `'${v}'`).join(' or ')}` : ''));
    console.log(`time: ${r.time ? `from '${r.columns.time}'` : 'none (the split will be a stratified group split, not a recent-time holdout)'}; ` +
      `groups: ${r.columns.group ? `from '${r.columns.group}'` : 'each row its own'}; empty texts ${r.emptyText}`);
    console.log(`next: vigil split --data ${out} --out split.parquet`);
    return 0;
  },
};
