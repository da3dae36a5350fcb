// %% [markdown]
// # 7. Thresholds and policy
//
// Two thresholds on the calibrated probability turn a score into an action:
// **BLOCK** if `p ≥ block_threshold` (when auto-blocking is enabled), else **QUEUE** for human review
// if `p ≥ queue_threshold`, else **ALLOW**. They are chosen on the **calibration window** against
// explicit constraints — minimum recall, maximum false-positive rate, review-queue capacity, block
// precision, precision in the top share — with a priority order that says which constraint gives
// way when they cannot all hold. Then the policy is checked on the **test window** with bootstrap
// intervals, overall and per slice.

// %%
import * as tslab from 'tslab';
import { setQuiet, notebookConfig, openRun, htmlTable, fmtCI, pct, thresholdSweepSvg } from '@vigil/lib';
setQuiet(true);
const cfg = notebookConfig();
const run = await openRun(cfg);
const p = run.policy;
console.log(p.rule);
console.log(`policy ${p.version}: BLOCK ≥ ${p.block_enabled ? p.block_threshold.toFixed(4) : '(disabled)'}   QUEUE ≥ ${p.queue_threshold.toFixed(4)}   feasible: ${p.feasible}`);

// %% [markdown]
// ## The sweep (calibration window)
// Recall, FPR and share of uploads flagged at every threshold; the chosen QUEUE and BLOCK thresholds
// are marked, and the FPR ceiling drawn.

// %%
const sweep = run.reportInput.policy?.sweep ?? [];
tslab.display.svg(await thresholdSweepSvg(sweep, {
  block: p.block_enabled ? p.block_threshold : undefined, queue: p.queue_threshold, maxFpr: p.constraints.maxFpr,
  title: 'Threshold sweep on the calibration window',
}));

// %% [markdown]
// ## Constraints: required, achieved (calibration window, 95% CI), met, binding

// %%
tslab.display.html(htmlTable(Object.entries(p.constraint_status).map(([name, s]) => {
  const a = (p.achieved as Record<string, { value: number | null; ci: [number, number] | null } | undefined>)[name === 'queue_capacity' ? 'queue_share' : name];
  return {
    constraint: name, required: s.required, achieved: s.value === null ? '—' : fmtCI(a && a.value !== null ? { value: a.value, ci: a.ci ?? undefined } : s.value, 4),
    met: s.met, binding: s.binding,
  };
}), { caption: `Priority when they conflict: ${p.constraints.priority.join(' > ')}` }));

// %% [markdown]
// ## Feasibility
// When the constraints cannot all hold, the solver says which ones conflict and what it gave up.

// %%
console.log(`feasible: ${p.feasible}`);
for (const b of p.binding) console.log(`- [${b.constraint}, ${b.kind}] ${b.statement}`);
if (p.compromise) console.log(`\ncompromise: ${p.compromise.statement}`);
const shares = run.reportInput.policy?.actionShares;
if (shares) tslab.display.html(htmlTable([{ ALLOW: pct(shares.allow), QUEUE: pct(shares.queue), BLOCK: pct(shares.block) }], { caption: 'Expected share of uploads per action' }));

// %% [markdown]
// ## Recall per harm category (calibration window)

// %%
tslab.display.html(htmlTable(Object.entries(p.category_recall).map(([cat, c]) => ({
  category: cat, positives: c.positives, 'recall (flagged)': pct(c.recall_flagged, 1), 'recall (blocked)': pct(c.recall_blocked, 1),
}))));

// %% [markdown]
// ## The policy on the test window
// Fresh weeks: does it still meet its constraints, counting the bootstrap interval (`met with CI`
// needs the whole interval on the safe side)?

// %%
type Check = { required: string; value: number | null; ci: [number, number] | null; met: boolean; met_with_ci: boolean };
const pt = run.metrics.policy_test as { n: number; positives: number; checks: Record<string, Check> } | undefined;
if (pt) {
  tslab.display.html(htmlTable(Object.entries(pt.checks).map(([name, c]) => ({
    constraint: name, required: c.required, achieved: c.value === null ? '—' : fmtCI({ value: c.value, ci: c.ci ?? undefined }, 4), met: c.met, 'met with CI': c.met_with_ci,
  })), { caption: `Test window: ${pt.n} videos, ${pt.positives} harmful` }));
}

// %% [markdown]
// ## Slices
// The same scores per slice of the test window. Slices with fewer positives than
// `eval.minSlicePositives` are flagged: their intervals are too wide to judge.

// %%
const sl = run.reportInput.slices;
if (sl) {
  tslab.display.html(htmlTable(sl.rows.map((s) => ({
    slice: s.slice, n: s.n, positives: s.positives, AP: fmtCI(s.ap), recall: fmtCI(s.recall), 'precision @ top 1%': fmtCI(s.top1Precision),
    judge: s.positives < sl.minPositives ? `too small (< ${sl.minPositives} positives)` : '',
  })), { caption: 'Test-window slices (95% CI over creator groups)' }));
}
