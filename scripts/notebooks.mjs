// Builds the Jupyter notebooks (tslab kernel) from their plain-text sources in notebooks/src/*.ts.
// A source file is TypeScript with cell markers:  `// %%` starts a code cell,
// `// %% [markdown]` starts a markdown cell whose lines are `// `-prefixed text.
// Usage: node scripts/notebooks.mjs build            (write notebooks/*.ipynb without outputs)
//        node scripts/notebooks.mjs check            (fail when a .ipynb's code differs from its source)
import { readdirSync, readFileSync, writeFileSync, existsSync, renameSync } from 'node:fs';
import { join, basename } from 'node:path';

const SRC = 'notebooks/src';
const OUT = 'notebooks';

export function parseCells(text) {
  const cells = [];
  let cur = null;
  for (const line of text.split('\n')) {
    const m = /^\/\/ %%( \[markdown\])?\s*$/.exec(line);
    if (m) {
      if (cur) cells.push(cur);
      cur = { type: m[1] ? 'markdown' : 'code', lines: [] };
      continue;
    }
    if (!cur) continue; // header comments before the first marker are not a cell
    cur.lines.push(cur.type === 'markdown' ? line.replace(/^\/\/ ?/, '') : line);
  }
  if (cur) cells.push(cur);
  return cells.map((c) => {
    while (c.lines.length && c.lines[c.lines.length - 1].trim() === '') c.lines.pop();
    while (c.lines.length && c.lines[0].trim() === '') c.lines.shift();
    return c;
  });
}

function toSource(lines) {
  return lines.map((l, i) => (i < lines.length - 1 ? l + '\n' : l));
}

export function buildNotebook(text, name) {
  return {
    cells: parseCells(text).map((c, k) => {
      const id = `${name}-${k}`;
      return c.type === 'markdown'
        ? { cell_type: 'markdown', id, metadata: {}, source: toSource(c.lines) }
        : { cell_type: 'code', id, execution_count: null, metadata: {}, outputs: [], source: toSource(c.lines) };
    }),
    metadata: {
      kernelspec: { display_name: 'TypeScript', language: 'typescript', name: 'tslab' },
      language_info: { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript', version: '5' },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

function codeOf(nb) {
  return nb.cells.map((c) => `${c.cell_type}:${[].concat(c.source).join('')}`).join('\n---\n');
}

const mode = process.argv[2] ?? 'build';
const sources = (existsSync(SRC) ? readdirSync(SRC) : []).filter((f) => f.endsWith('.ts')).sort();
let stale = 0;
for (const f of sources) {
  const nb = buildNotebook(readFileSync(join(SRC, f), 'utf8'), basename(f, '.ts'));
  const target = join(OUT, basename(f, '.ts') + '.ipynb');
  if (mode === 'check') {
    if (!existsSync(target) || codeOf(JSON.parse(readFileSync(target, 'utf8'))) !== codeOf(nb)) {
      console.error(`stale notebook: ${target} (run: node scripts/notebooks.mjs build)`);
      stale++;
    }
    continue;
  }
  // Keep existing outputs of every code cell whose code is unchanged, so editing prose (or one cell)
  // doesn't wipe executed results.
  if (existsSync(target)) {
    const old = JSON.parse(readFileSync(target, 'utf8'));
    if (codeOf(old) === codeOf(nb)) continue;
    const oldCode = old.cells.filter((c) => c.cell_type === 'code');
    nb.cells.filter((c) => c.cell_type === 'code').forEach((c, k) => {
      const o = oldCode[k];
      if (o && [].concat(o.source).join('') === [].concat(c.source).join('')) {
        c.outputs = o.outputs;
        c.execution_count = o.execution_count;
      }
    });
  }
  writeFileSync(target + '.tmp', JSON.stringify(nb, null, 1) + '\n');
  renameSync(target + '.tmp', target);
  console.log(`wrote ${target}`);
}
process.exit(stale ? 1 : 0);
