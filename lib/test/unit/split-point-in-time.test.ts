import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTable } from '../fixtures/table.js';
import { syntheticTable } from '../fixtures/synthetic.js';
import { auditPointInTime, assertPointInTime } from '../../src/split/pointInTime.js';
import { VigilError } from '../../src/util/errors.js';

test('hand cases: a strike may follow an earlier harmful upload, never the same one', () => {
  const ok = buildTable([
    { creator: 'a', day: 1, harmful: 1, priorStrikes: 2, accountAgeDays: 10 },
    { creator: 'a', day: 3, harmful: 0, priorStrikes: 3, accountAgeDays: 12 },
    { creator: 'a', day: 4, harmful: 0, priorStrikes: 3, accountAgeDays: 13 },
    // a late strike (arrives after a later upload) is fine too
    { creator: 'b', day: 1, harmful: 1, priorStrikes: 0, accountAgeDays: 0 },
    { creator: 'b', day: 2, harmful: 0, priorStrikes: 0, accountAgeDays: 1 },
    { creator: 'b', day: 5, harmful: 0, priorStrikes: 1, accountAgeDays: 4 },
  ]);
  assert.equal(auditPointInTime(ok).pass, true);
  const leaky = buildTable([
    { creator: 'a', day: 1, harmful: 0, priorStrikes: 0 },
    { creator: 'a', day: 2, harmful: 1, priorStrikes: 1 }, // counts its own removal
  ]);
  const r = auditPointInTime(leaky);
  const s = r.checks.find((c) => c.name === 'prior_strikes')!;
  assert.equal(r.pass, false);
  assert.equal(s.violations, 1);
  assert.equal(s.examples[0].row, 1);
  assert.throws(() => assertPointInTime(leaky), (e: unknown) => e instanceof VigilError && e.field === 'prior_strikes' && e.row === 1);
});

test('the synthetic point-in-time data passes; leaky copies of each column fail', () => {
  const { table } = syntheticTable({ n: 2000, days: 90, creators: 150, reuploadRate: 0.1, prevalence: 0.08, seed: 4 });
  const clean = auditPointInTime(table);
  assert.equal(clean.pass, true, JSON.stringify(clean.checks.map((c) => c.examples[0])));
  const strikes = clean.checks.find((c) => c.name === 'prior_strikes')!;
  assert.ok(strikes.rowsChecked > 1000);

  // Leak 1: prior_strikes includes the strike caused by this very upload.
  const leak1 = { ...table, priorStrikes: table.priorStrikes.map((s, i) => s + table.harmful[i]) };
  const r1 = auditPointInTime(leak1);
  assert.equal(r1.checks.find((c) => c.name === 'prior_strikes')!.pass, false);
  assert.equal(r1.checks.find((c) => c.name === 'account_age_days')!.pass, true);

  // Leak 2: account_age_days taken from a snapshot at the end of the data, not at upload.
  const end = table.uploadTs.reduce((m, v) => Math.max(m, v), -Infinity);
  const created = table.uploadTs.map((t, i) => t - table.accountAgeDays[i] * 86_400_000);
  const leak2 = { ...table, accountAgeDays: Float32Array.from(created, (c) => Math.floor((end - c) / 86_400_000)) };
  const r2 = auditPointInTime(leak2);
  assert.equal(r2.checks.find((c) => c.name === 'account_age_days')!.pass, false);
  assert.throws(() => assertPointInTime(leak2), /account_age_days/);
});
