// %% [markdown]
// # 11. The moderation loop, simulated
//
// Every other notebook scores a model offline on labelled test weeks. This one runs the operation:
// new weeks of the run's simulated world are scored by the exported model through the serving
// scorer, the policy acts (ALLOW / QUEUE / BLOCK), a review queue with a daily capacity works
// through what was queued (priority = severity hint × risk × creator tier, aged by waiting time),
// reviewers decide with the simulator's label noise, creators appeal removals to a second
// reviewer, a random audit samples what was allowed, and every week the model is refit on the
// labels the loop produced, gated against the model in force and rolled back when its queue stops
// finding harm. The simulator's ground truth makes every rate exact.
//
// Here: the three routing strategies side by side, then two design decisions the loop changes —
// how much review capacity the child-safety SLA needs, and how much capacity to spend on
// exploration so that weekly retraining does not learn only from what the model already flagged.

// %%
import * as tslab from 'tslab';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  setQuiet, notebookConfig, openRun, htmlTable, pct, repoRoot, runLoop, writeLoopFolder, readLoopResult, buildLoopSource,
  simulateLoop, loopConfigSchema, weekLinesSvg, weekSeries, PRESETS, type LoopResult, type RoutingStrategy,
} from '@vigil/lib';
setQuiet(true);
const cfg = notebookConfig();
const run = await openRun(cfg);
const preset = PRESETS[(cfg.data.simulatePreset ?? 'default') as keyof typeof PRESETS];
const WEEKS = Math.min(8, preset.weeks);
const loopsDir = join(repoRoot(), 'experiments', 'loops');
// The newest loop folder of this run with these weeks, or a fresh `vigil loop` when there is none.
const existing = existsSync(loopsDir) ? readdirSync(loopsDir).filter((d) => !d.startsWith('.')).sort().reverse()
  .map((d) => join(loopsDir, d)).find((d) => { try { const r = readLoopResult(d); return r.run.dir.endsWith(run.id) && r.config.weeks === WEEKS; } catch { return false; } }) : undefined;
const result: LoopResult = existing ? readLoopResult(existing) : readLoopResult(await writeLoopFolder(loopsDir, await runLoop(run.dir, { weeks: WEEKS })));
console.log(`run ${result.run.id}: ${result.config.weeks} weeks, ${result.source.rows} stored rows = ${Math.round(result.source.uploads)} uploads, world weeks ${result.source.world_weeks.join(',')} of stream '${result.source.salt}'`);

// %% [markdown]
// ## Three routing strategies over the same weeks
// `top-risk` spends all review capacity on the model's queue; `active` spends 20% on uploads just
// below the queue threshold; `active+audit` adds a 10% uniform audit of allowed uploads. Same
// uploads, same reviewers (a reviewer decides the same way on the same upload under every strategy).

// %%
tslab.display.html(htmlTable(result.strategies.map((s) => ({
  strategy: s.strategy,
  'exposure (upload-h)': Math.round(s.totals.exposure_upload_hours),
  'reviews / capacity': `${Math.round(s.totals.reviews)} / ${Math.round(s.totals.capacity)}`,
  'appeals overturned': `${s.totals.appeals_overturned}/${s.totals.appeals_filed}`,
  'mean weekly AP': s.totals.mean_ap?.toFixed(3) ?? '—',
  'last-week AP': s.totals.final_ap?.toFixed(3) ?? '—',
  events: s.promotions.map((p) => `${p.event} w${p.week}`).join(', ') || 'none',
}))));
tslab.display.svg(await weekLinesSvg(weekSeries(result, (w) => w.model.ap), { title: 'AP of the model in force, each week (ground truth)', valueTitle: 'AP' }));

// %% [markdown]
// ## Selection bias: what the labels look like
// The queue's labels are mostly positives (the model flagged them); the stream is ~0.4% harmful.
// A model refit on queue labels alone believes harm is common: its mean predicted probability on
// the next week is far above the true prevalence. Exploration and audit labels carry design
// weights (each draw stands for its sampling frame), which restores the base rate.

// %%
tslab.display.html(htmlTable(result.strategies.flatMap((s) => s.weeks.filter((w) => w.model.candidate).map((w) => ({
  strategy: s.strategy, week: w.week,
  'label positive share': pct(w.labels.positive_share), 'true prevalence': pct(w.true_prevalence, 2),
  'candidate mean risk next week': pct(w.model.candidate!.mean_risk_next_week, 2),
  'candidate AP next week': w.model.candidate!.ap_next_week?.toFixed(3) ?? '—',
  'in-force AP next week': w.model.candidate!.ap_next_week_current?.toFixed(3) ?? '—',
  gate: w.model.candidate!.verdict,
})))));

// %% [markdown]
// ## The audit: the only view of false negatives
// The audit samples ALLOW uploads uniformly; its estimate (with a Wilson interval) is compared with
// the exact harmful share among allowed uploads. The audit measures what reviewers say, so its
// target is Σ w·q / Σ w (also shown), not the truth itself.

// %%
const audited = result.strategies.find((s) => s.strategy === 'active+audit');
if (audited) tslab.display.html(htmlTable(audited.weeks.map((w) => ({
  week: w.week, draws: w.audit.draws, estimate: pct(w.audit.estimate, 2),
  '95% CI': w.audit.ci ? `[${pct(w.audit.ci[0], 2)}, ${pct(w.audit.ci[1], 2)}]` : '—',
  'exact (truth)': pct(w.allowed_violating_rate, 2), 'reviewer target (Σwq/Σw)': pct(w.allowed_expected_review_rate, 2),
}))));

// %% [markdown]
// ## Design decision 1: how much capacity does the child-safety SLA need?
// The same weeks replayed without retraining at several capacities. The queue cannot tell a
// child-safety upload from any other before review (Vigil has no category head; the severity hint
// is which tower fired), so the 1-hour SLA is met only when the whole queue moves fast.

// %%
const src = await buildLoopSource(run.dir, WEEKS, { salt: result.source.salt });
const servedPolicy = { id: src.run.modelVersion, queueThreshold: src.run.queueThreshold, blockThreshold: src.run.blockThreshold, blockEnabled: src.run.blockEnabled };
const capacityRows = [0.005, 0.0075, 0.01, 0.02].map((capacityShare) => {
  const r = simulateLoop(src.world, servedPolicy, loopConfigSchema.parse({ weeks: WEEKS, capacityShare, retrain: false }), 'top-risk');
  let reviewed = 0, within = 0, other = 0, otherWithin = 0;
  for (const w of r.weeks) for (const [c, v] of Object.entries(w.queue.categories)) {
    if (c === 'csam') { reviewed += v.reviewed; within += (v.within_sla ?? 0) * v.reviewed; }
    else if (c !== 'none' && c !== 'hard_negative') { other += v.reviewed; otherWithin += (v.within_sla ?? 0) * v.reviewed; }
  }
  return {
    capacity: pct(capacityShare, 2), 'csam reviewed within 1 h': reviewed ? pct(within / reviewed) : '—',
    'other harm within 24 h': other ? pct(otherWithin / other) : '—',
    'queue depth at the end': Math.round(r.weeks[r.weeks.length - 1].queue.depth_end),
    'exposure (upload-h)': Math.round(r.totals.exposure_upload_hours),
  };
});
tslab.display.html(htmlTable(capacityRows));

// %% [markdown]
// ## Design decision 2: how much capacity to spend on exploration
// Weekly retraining with 0–40% of the capacity spent on borderline ALLOW uploads. With none, the
// model learns only from what it already flagged. A promoted model orders the review queue and the
// run's policy keeps routing (`retrainedRouting: 'queue-order'`, docs/loop.md): routed by the
// retrained heads, exposure rose although AP did. Exploration reviews come out of the queue's
// capacity, so the exposure column prices the AP it buys.

// %%
const exploreRows = [0, 0.1, 0.2, 0.4].map((exploreShare) => {
  const strategy: RoutingStrategy = exploreShare === 0 ? 'top-risk' : 'active';
  const r = simulateLoop(src.world, servedPolicy, loopConfigSchema.parse({ weeks: WEEKS, exploreShare }), strategy);
  const cands = r.weeks.map((w) => w.model.candidate).filter((c) => c !== null);
  const mean = (xs: (number | null)[]) => { const v = xs.filter((x): x is number => x !== null); return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null; };
  return {
    'explore share': pct(exploreShare, 0), 'mean weekly AP': r.totals.mean_ap?.toFixed(3) ?? '—', 'last-week AP': r.totals.final_ap?.toFixed(3) ?? '—',
    'candidates: mean next-week AP': mean(cands.map((c) => c.ap_next_week))?.toFixed(3) ?? '—',
    'candidates: worst mean risk / prevalence': (() => { const x = Math.max(...r.weeks.filter((w) => w.model.candidate && w.week + 1 < r.weeks.length).map((w) => (w.model.candidate!.mean_risk_next_week ?? 0) / (r.weeks[w.week + 1].true_prevalence ?? 1))); return Number.isFinite(x) ? x.toFixed(1) + '×' : '—'; })(),
    'exposure (upload-h)': Math.round(r.totals.exposure_upload_hours),
  };
});
const frozen = simulateLoop(src.world, servedPolicy, loopConfigSchema.parse({ weeks: WEEKS, retrain: false }), 'top-risk');
exploreRows.push({ 'explore share': 'no retraining', 'mean weekly AP': frozen.totals.mean_ap?.toFixed(3) ?? '—', 'last-week AP': frozen.totals.final_ap?.toFixed(3) ?? '—', 'candidates: mean next-week AP': '—', 'candidates: worst mean risk / prevalence': '—', 'exposure (upload-h)': Math.round(frozen.totals.exposure_upload_hours) });
tslab.display.html(htmlTable(exploreRows));

// %% [markdown]
// ## What the loop cannot tell
// Reviewers here are the simulator's label noise (independent draws with the upload's q), appeals
// follow fixed rates, exposure is upload-hours (not views), the reactive removal channel is the
// simulator's removal log, and the world's drift is the simulator's. The numbers answer "what does
// this design do in a world like the simulator's", not "what will production do" (docs/loop.md).
