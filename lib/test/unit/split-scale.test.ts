import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTable } from '../fixtures/table.js';
import { splitConfigSchema } from '../../src/split/config.js';
import { makeSplit } from '../../src/split/split.js';
import { nearDupScaling } from '../../src/split/scaling.js';
import { createRng } from '../../src/util/rng.js';

test('makeSplit handles more rows than a call stack holds arguments (no spread of row-sized arrays)', () => {
  // 200k one-frame rows over 12 weeks; small frames and signatures keep it fast.
  const n = 200_000;
  const rng = createRng(1);
  const rows = Array.from({ length: n }, (_, i) => ({ day: (i / n) * 84, frames: [Array.from({ length: 16 }, () => rng.normal())], harmful: (i % 97 === 0 ? 1 : 0) as 0 | 1 }));
  const t = buildTable(rows, { frameDim: 16 });
  const r = makeSplit(t, splitConfigSchema.parse({ nearDup: { bits: 64, bandBits: 16, minCosine: 0.98 } }), 1);
  assert.equal(r.audit.pass, true);
  assert.ok(r.report.groups.largest >= 1);
  assert.throws(() => nearDupScaling(t, [n + 1], splitConfigSchema.parse({}).nearDup, 1), /size 200001/);
});
