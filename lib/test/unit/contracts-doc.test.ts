// docs/CONTRACTS.md against the code it describes: commands and flags, dataset columns, every
// run-folder schema's fields (and which are required), the serving routes, request and response
// fields and reason codes. A name in the code missing from the doc, or one in the doc the code no
// longer has, fails here, so the two cannot drift.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { commands } from '../../src/cli/commands/index.js';
import { VIDEO_COLUMNS, TRUTH_COLUMNS, type ColumnSpec } from '../../src/data/schema.js';
import { RUN_FILE_SCHEMAS, type RunFileName } from '../../src/artifacts/runFiles.js';
import { metricBlockSchema } from '../../src/artifacts/metrics.js';
import { servingManifestSchema } from '../../src/artifacts/manifest.js';
import { ENDPOINTS } from '../../src/serve/server.js';
import { REQUEST_FIELDS } from '../../src/serve/request.js';
import { SCORE_RESPONSE_FIELDS } from '../../src/serve/scorer.js';
import { REASON_CODES } from '../../src/serve/reasonCodes.js';

const ROOT = join(__dirname, '..', '..', '..', '..');
const DOC = readFileSync(join(ROOT, 'docs', 'CONTRACTS.md'), 'utf8');

/** The lines under `heading` up to the next heading of any level. */
function section(heading: string): string {
  const lines = DOC.split('\n');
  const at = lines.indexOf(heading);
  assert.ok(at >= 0, `docs/CONTRACTS.md has no '${heading}' section`);
  const end = lines.findIndex((l, i) => i > at && l.startsWith('#'));
  return lines.slice(at + 1, end < 0 ? undefined : end).join('\n');
}

/** Rows of the first table in `text` (header and separator skipped), cells split on unescaped '|'. */
function tableRows(text: string): string[][] {
  const rows = text.split('\n').filter((l) => l.startsWith('|'));
  return rows.slice(2).map((l) => l.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
}

/** The backticked name at the start of a cell (`--run X` → `--run`). */
const nameOf = (cell: string): string => {
  const m = /^`([^`\s]+)/.exec(cell);
  assert.ok(m, `table cell '${cell}' does not start with a backticked name`);
  return m[1];
};

const sorted = (xs: Iterable<string>) => [...xs].sort();

function checkSchemaTable(heading: string, schema: z.ZodObject) {
  const rows = tableRows(section(heading));
  const documented = new Map(rows.map((r) => [nameOf(r[0]), r[2] === 'yes']));
  assert.deepEqual(sorted(documented.keys()), sorted(Object.keys(schema.shape)), `${heading}: the table's fields must be exactly the schema's`);
  for (const [field, sub] of Object.entries(schema.shape)) {
    const required = !(sub as z.ZodType).safeParse(undefined).success;
    assert.equal(documented.get(field), required, `${heading}: '${field}' is ${required ? 'required' : 'optional'} in the schema`);
  }
}

test('every vigil command and each of its flags is documented, and nothing else', async () => {
  const documented = [...DOC.matchAll(/^#### `vigil (\S+)`$/gm)].map((m) => m[1]);
  assert.deepEqual(sorted(documented), sorted(commands.map((c) => c.name)));
  for (const entry of commands) {
    const cmd = await entry.load();
    const flags = tableRows(section(`#### \`vigil ${entry.name}\``)).map((r) => nameOf(r[0]));
    assert.deepEqual(sorted(flags), sorted(Object.keys(cmd.options).map((k) => `--${k}`)), `vigil ${entry.name}: documented flags`);
  }
});

test('the dataset tables list exactly the schema columns, with nullability and whether required', () => {
  const check = (heading: string, cols: ColumnSpec[]) => {
    const rows = tableRows(section(heading));
    assert.deepEqual(rows.map((r) => nameOf(r[0])), cols.map((c) => c.name), `${heading}: columns in schema order`);
    cols.forEach((c, i) => {
      assert.equal(rows[i][1], c.kind, `${heading} ${c.name}: kind`);
      assert.equal(rows[i][2] === 'yes', c.nullable, `${heading} ${c.name}: nullable`);
      assert.equal(rows[i][3] === 'yes', !c.optional, `${heading} ${c.name}: required`);
    });
  };
  check('### videos.parquet', VIDEO_COLUMNS);
  check('### truth.parquet', TRUTH_COLUMNS);
});

test('each run-folder JSON file has a table with exactly its schema fields, required ones marked', () => {
  const listed = tableRows(section('## Run folder')).map((r) => nameOf(r[0]));
  for (const name of Object.keys(RUN_FILE_SCHEMAS) as RunFileName[]) {
    assert.ok(listed.includes(name), `the run-folder file table lists ${name}`);
    checkSchemaTable(`### ${name}`, RUN_FILE_SCHEMAS[name] as unknown as z.ZodObject);
  }
  checkSchemaTable('#### metric block', metricBlockSchema);
  checkSchemaTable('#### manifest.json serving', servingManifestSchema);
});

test('the serving API section lists the server routes, request and response fields and reason codes', () => {
  const routes = tableRows(section('### Endpoints')).map((r) => `${r[0]} ${nameOf(r[1])}`);
  assert.deepEqual(sorted(routes), sorted(ENDPOINTS.map((e) => `${e.method} ${e.path}`)));
  assert.deepEqual(tableRows(section('### Request fields')).map((r) => nameOf(r[0])), [...REQUEST_FIELDS]);
  assert.deepEqual(tableRows(section('### Response fields')).map((r) => nameOf(r[0])), [...SCORE_RESPONSE_FIELDS]);
  assert.deepEqual(sorted(tableRows(section('### Reason codes')).map((r) => nameOf(r[0]))), sorted(Object.keys(REASON_CODES)));
});

test('code comments cite the contract where it is: docs/CONTRACTS.md', () => {
  const stale: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && /(?<!docs\/)CONTRACTS\.md/.test(readFileSync(p, 'utf8'))) stale.push(p);
    }
  };
  walk(join(ROOT, 'lib', 'src'));
  assert.deepEqual(stale, []);
});
