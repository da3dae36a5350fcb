import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/runCli.js';
import { readScoredJsonl } from '../../src/cli/commands/evaluate.js';
import { createRng } from '../../src/util/rng.js';
import { VigilError } from '../../src/util/errors.js';

test('vigil evaluate writes the metric block, policy.json and the sweep', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-eval-'));
  const rng = createRng(3);
  const lines: string[] = [];
  for (let i = 0; i < 600; i++) {
    const y = rng.next() < 0.1 ? 1 : 0;
    const p = 1 / (1 + Math.exp(-(rng.normal() + 2.5 * y - 3)));
    lines.push(JSON.stringify({ score: p, label: y, weight: y ? 1 : 2, group: `c${i % 150}`, tags: y ? ['violence'] : [] }));
  }
  const file = join(dir, 'scores.jsonl');
  writeFileSync(file, lines.join('\n') + '\n');
  const { code, out: printed } = await runCli(['evaluate', file, '--set', 'eval.bootstrap=30', '--set', 'policy.bootstrap=30',
    '--metrics-out', join(dir, 'm.json'), '--policy-out', join(dir, 'p.json'), '--sweep-out', join(dir, 's.json')]);
  const out = printed.split('\n');
  assert.equal(code, 0);
  const m = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8'));
  assert.equal(m.n, 600);
  assert.equal(m.bootstrap.unit, 'group');
  assert.equal(m.bootstrap.groups, 150);
  const p = JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8'));
  assert.equal(typeof p.queue_threshold, 'number');
  assert.ok('violence' in p.category_recall);
  assert.ok(Array.isArray(JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'))));
  assert.ok(out.some((l) => /criterion recall_at_fpr@0.02 >= 0.9: (MET|NOT MET)/.test(l)), out.join('\n'));
});

test('bad score lines name the line and the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-eval-'));
  const file = join(dir, 'bad.jsonl');
  writeFileSync(file, '{"score": 0.2, "label": 0}\n{"score": 0.4, "label": 3}\n');
  assert.throws(() => readScoredJsonl(file), (e: unknown) => e instanceof VigilError && e.field === 'label' && /bad\.jsonl:2/.test(e.message));
  writeFileSync(file, '{"score": "high", "label": 1}\n');
  assert.throws(() => readScoredJsonl(file), (e: unknown) => e instanceof VigilError && e.field === 'score' && /:1/.test(e.message));
});
