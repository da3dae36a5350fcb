// The one-way import rule of docs/ARCHITECTURE.md: the stages of lib/src in the order the document
// lists them, and no import from a stage to a later one. The order is read from the document, so the
// document and the code cannot disagree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..');
const SRC = join(ROOT, 'lib', 'src');

/** Stage names in the order docs/ARCHITECTURE.md lists them (folders without their slash). */
function documentedOrder(): string[] {
  const doc = readFileSync(join(ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8');
  const start = doc.indexOf('<!-- stage-order'), end = doc.indexOf('<!-- /stage-order -->');
  assert.ok(start >= 0 && end > start, 'docs/ARCHITECTURE.md has the stage-order block');
  return [...doc.slice(start, end).matchAll(/^  ([a-z]+)\/?\s{2,}/gm)].map((m) => m[1]);
}

/** The stage a file belongs to: its first folder under lib/src, or its name for a root file. */
function stageOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  return parts.length > 1 ? parts[0] : parts[0].replace(/\.(d\.)?ts$|\.js$/, '');
}

interface Edge { from: string; to: string; file: string; spec: string }

/** Every relative import of every lib/src file: static, `export … from`, dynamic, type-only. */
function imports(): Edge[] {
  const out: Edge[] = [];
  const re = /(?:^|[\s;])(?:import|export)\s[^;]*?\sfrom\s*['"](\.[^'"]+)['"]|(?:^|[^\w.])import\(\s*['"](\.[^'"]+)['"]\s*\)|^import\s+['"](\.[^'"]+)['"]/gm;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) { walk(p); continue; }
      if (!p.endsWith('.ts')) continue;
      const text = readFileSync(p, 'utf8');
      for (const m of text.matchAll(re)) {
        const spec = m[1] ?? m[2] ?? m[3];
        out.push({ from: stageOf(p), to: stageOf(resolve(dirname(p), spec)), file: relative(SRC, p), spec });
      }
    }
  };
  walk(SRC);
  return out;
}

const ORDER = documentedOrder();
const EDGES = imports();
const rank = (s: string) => ORDER.indexOf(s);
const between = (from: string, to: string) => EDGES.filter((e) => e.from === from && e.to === to).map((e) => `${e.file} → ${e.spec}`);

test('the documented order names every stage of lib/src once', () => {
  assert.ok(ORDER.length >= 20, `parsed ${ORDER.length} stages from docs/ARCHITECTURE.md`);
  assert.equal(new Set(ORDER).size, ORDER.length, 'no stage twice');
  const stages = new Set(readdirSync(SRC).map((e) => stageOf(join(SRC, e))));
  assert.deepEqual([...stages].sort(), [...ORDER].sort());
});

test('no stage imports a later one', () => {
  assert.ok(EDGES.length > 500, `parsed ${EDGES.length} imports`);
  const upward = EDGES.filter((e) => e.from !== e.to && rank(e.to) > rank(e.from)).map((e) => `${e.file} (${e.from}) imports ${e.spec} (${e.to}, later)`);
  assert.deepEqual(upward, []);
});

test('the named boundaries hold: model ↛ eval, calibrate ↮ eval, nothing → cli, only the index → notebook', () => {
  assert.deepEqual(between('model', 'eval'), []);
  assert.deepEqual([...between('calibrate', 'eval'), ...between('eval', 'calibrate')], []);
  assert.deepEqual(EDGES.filter((e) => e.to === 'cli' && e.from !== 'cli').map((e) => e.file), []);
  assert.deepEqual(EDGES.filter((e) => e.to === 'notebook' && e.from !== 'notebook' && e.from !== 'index').map((e) => e.file), []);
});

test('the parser sees static, type-only, re-export and dynamic imports', () => {
  const has = (file: string, spec: string) => EDGES.some((e) => e.file === file && e.spec === spec);
  assert.ok(has(join('pipeline', 'run.ts'), '../split/split.js'), 'static');
  assert.ok(has(join('runs', 'manifest.ts'), '../model/recipe.js'), 'import type');
  assert.ok(has('index.ts', './serve/scoreRows.js'), 'export * from');
  assert.ok(has(join('cli', 'commands', 'index.ts'), './start.js'), 'dynamic import()');
});
