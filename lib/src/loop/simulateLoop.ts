import { createRng } from '../util/rng.js';
import { prepareScored, curveOf } from '../stats/curves.js';
import { averagePrecision } from '../stats/metrics.js';
import { MS_PER_DAY, MS_PER_WEEK } from '../data/table.js';
import { slaFor, type LoopConfig, type RoutingStrategy } from './config.js';
import { rowsOfWeek, rowsUpToWeek, validateWorld, type LoopWorld } from './world.js';
import { makeReviewers, pairAgreement } from './reviewers.js';
import { LabelLedger, type LabelSource } from './ledger.js';
import { ReviewQueue, MS_PER_HOUR } from './queue.js';
import { drawByWeight } from './sampling.js';
import { wilsonInterval } from '../stats/reliability.js';
import { fitHead, scoreRows, volumeMatchedThresholds, type LoopModel } from './models.js';
import { gateCandidate } from './gate.js';
import type { ExposureFates, StrategyResult, WeekMetrics } from './schema.js';

const ACTION = { ALLOW: 0, QUEUE: 1, BLOCK: 2 } as const;

/** The run's exported model and policy as the loop's first model. */
export interface ServedPolicy { id: string; queueThreshold: number; blockThreshold: number; blockEnabled: boolean }

export interface LoopTrace {
  /** Every label the strategy produced (what retraining could read). */
  ledger: LabelLedger;
  /** Rows each fitted head was trained on, with the labels it saw. */
  fits: { week: number; rows: number[]; labels: number[] }[];
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

const FATES = ['blocked', 'allowed_never_removed', 'allowed_found', 'queued_removed', 'queued_cleared', 'queued_never_reviewed'] as const;
type Fate = (typeof FATES)[number];
const emptyFates = (): ExposureFates => Object.fromEntries(FATES.map((f) => [f, { uploads: 0, upload_hours: 0 }])) as ExposureFates;

function weightedQuantile(values: number[], weights: number[], q: number): number | null {
  if (values.length === 0) return null;
  const idx = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const total = weights.reduce((s, w) => s + w, 0);
  let acc = 0;
  for (const i of idx) { acc += weights[i]; if (acc >= q * total - 1e-9) return values[i]; }
  return values[idx[idx.length - 1]];
}

function apOf(scores: ArrayLike<number>, labels: ArrayLike<number>, weights: ArrayLike<number>): number | null {
  let pos = 0;
  for (let i = 0; i < labels.length; i++) pos += labels[i];
  if (pos === 0 || pos === labels.length) return null;
  const ap = averagePrecision(curveOf(prepareScored(scores, labels, weights)));
  return Number.isFinite(ap) ? ap : null;
}

function sumFates(list: ExposureFates[]): ExposureFates {
  const out = emptyFates();
  for (const x of list) for (const f of FATES) { out[f].uploads += x[f].uploads; out[f].upload_hours += x[f].upload_hours; }
  return out;
}

/** Ground-truth AP of model `m` on week k (null when the week does not exist or has no positives). */
function weekAp(world: LoopWorld, m: LoopModel, k: number): number | null {
  if (k >= world.weeks) return null;
  const rows = rowsOfWeek(world, k);
  return apOf(scoreRows(world, m, rows), rows.map((r) => world.trueHarmful[r]), rows.map((r) => world.weight[r]));
}

/** Weighted mean predicted probability of model `m` on week k: against the true prevalence it shows calibration in the large. */
function weekMeanRisk(world: LoopWorld, m: LoopModel, k: number): number | null {
  if (k >= world.weeks) return null;
  const rows = rowsOfWeek(world, k);
  const s = scoreRows(world, m, rows);
  let num = 0, den = 0;
  rows.forEach((r, t) => { num += world.weight[r] * s[t]; den += world.weight[r]; });
  return ratio(num, den);
}

/**
 * Replay the loop's weeks under one routing strategy: the model in force scores each upload, the
 * policy acts, the queue is worked hour by hour within the day's capacity, exploration and audit
 * draws are reviewed at the end of each day, removals are appealed at the end of the week, and the
 * week's labels feed the weekly retrain (gated against the model in force, rolled back when its
 * reviewed-queue hit rate collapses). Returns the per-week metrics; `trace` receives the ledger.
 */
export function simulateLoop(world: LoopWorld, served: ServedPolicy, cfg: LoopConfig, strategy: RoutingStrategy, trace?: Partial<LoopTrace>): StrategyResult {
  validateWorld(world);
  const reviewers = makeReviewers(world, cfg.seed);
  const ledger = new LabelLedger();
  const queue = new ReviewQueue(24);
  const rng = createRng(cfg.seed).fork(`loop:${strategy}`);
  const exploreShare = strategy === 'top-risk' ? 0 : cfg.exploreShare;
  const auditShare = strategy === 'active+audit' ? cfg.auditShare : 0;
  const queueShare = 1 - exploreShare - auditShare;
  const fits: LoopTrace['fits'] = [];

  const n = world.n;
  const action = new Int8Array(n);
  const removedAt = new Float64Array(n).fill(NaN);
  // Suppressed mode: when a queued upload became visible (after a reviewer cleared it); NaN = never.
  const visibleFrom = new Float64Array(n).fill(NaN);
  // When a reviewer first reached a queued upload (NaN = still waiting): splits queue exposure into reviewed vs backlog.
  const queueReviewedAt = new Float64Array(n).fill(NaN);
  const removals: { row: number; week: number; weight: number }[] = [];

  const runModel: LoopModel = {
    id: served.id, kind: 'served', trainedAfterWeek: -1, head: null, trainLabels: 0, trainPositives: 0,
    queueThreshold: served.queueThreshold, blockThreshold: served.blockThreshold, blockEnabled: served.blockEnabled,
  };
  let current = runModel;
  let previous: LoopModel | null = null;
  let promotedForWeek = -1;
  let prevHitRate: number | null = null;
  const promotions: StrategyResult['promotions'] = [];
  const weeks: WeekMetrics[] = [];
  const days: { capacity: number; queue: number; explore: number; audit: number }[] = [];

  for (let k = 0; k < world.weeks; k++) {
    const weekStart = world.startMs + k * MS_PER_WEEK;
    const rows = rowsOfWeek(world, k);
    const inForce = current;
    const scores = scoreRows(world, current, rows);
    // Who decides QUEUE / ALLOW / BLOCK: the model in force, or (queue-order) the run's policy, with the
    // model in force only ordering the queue. `scoreOf` is the queue priority's risk.
    const router = cfg.retrainedRouting === 'thresholds' ? current : runModel;
    const routeScores = router === current ? scores : scoreRows(world, runModel, rows);
    const scoreOf = new Map<number, number>(), routeOf = new Map<number, number>();
    let wAll = 0, wAllow = 0, wQueue = 0, wBlock = 0;
    for (let t = 0; t < rows.length; t++) {
      const r = rows[t], s = scores[t];
      scoreOf.set(r, s);
      const rs = routeScores[t];
      routeOf.set(r, rs);
      action[r] = router.blockEnabled && rs >= router.blockThreshold ? ACTION.BLOCK : rs >= router.queueThreshold ? ACTION.QUEUE : ACTION.ALLOW;
      wAll += world.weight[r];
      if (action[r] === ACTION.ALLOW) wAllow += world.weight[r];
      else if (action[r] === ACTION.QUEUE) wQueue += world.weight[r];
      else { wBlock += world.weight[r]; removedAt[r] = world.uploadTs[r]; removals.push({ row: r, week: k, weight: world.weight[r] }); }
    }

    // Capacity of each day: a share of that day's uploads.
    const dayCap = new Float64Array(7);
    for (const r of rows) dayCap[Math.min(6, Math.floor((world.uploadTs[r] - weekStart) / MS_PER_DAY))] += world.weight[r] * cfg.capacityShare;

    const reviewedWait: Record<string, { hours: number[]; weights: number[] }> = {};
    const agreement: Record<string, { sum: number; w: number }> = {};
    let queueReviewed = 0, queueHits = 0, exploreUsed = 0, auditUsed = 0, auditDraws = 0, auditPos = 0;
    const noteAgreement = (r: number, w: number) => {
      const a = (agreement[world.category[r]] ??= { sum: 0, w: 0 });
      a.sum += pairAgreement(world.q[r]) * w; a.w += w;
    };
    // A sampled draw stands for its whole sampling frame: design weight = frame uploads / draws, so
    // audit labels describe everything allowed, not just the one upload.
    const sampledReview = (r: number, at: number, source: LabelSource, designWeight: number) => {
      const y = reviewers.decide(r, 'first');
      noteAgreement(r, 1);
      ledger.add({ row: r, week: k, source, role: 'first', label: y, weight: designWeight });
      if (y === 1 && Number.isNaN(removedAt[r])) {
        // The reviewer's finding removes the content and its identical copies (known-content matching).
        removedAt[r] = at;
        removals.push({ row: r, week: k, weight: 1 });
      }
      return y;
    };

    let next = 0;
    let exploreCarry = 0, auditCarry = 0;
    for (let h = 0; h < 168; h++) {
      const hourTs = weekStart + h * MS_PER_HOUR;
      const d = Math.floor(h / 24);
      while (next < rows.length && world.uploadTs[rows[next]] < hourTs + MS_PER_HOUR) {
        const r = rows[next++];
        if (action[r] !== ACTION.QUEUE) continue;
        queue.push({ row: r, arrivalTs: world.uploadTs[r], weight: world.weight[r], basePriority: scoreOf.get(r)! * world.severityHint[r] * world.creatorTier[r] });
      }
      const spentBefore = queue.spent;
      for (const { item, reviewTs } of queue.workHour(hourTs, (dayCap[d] * queueShare) / 24)) {
        const r = item.row;
        queueReviewedAt[r] = reviewTs;
        const y = reviewers.decide(r, 'first');
        noteAgreement(r, item.weight);
        ledger.add({ row: r, week: k, source: 'queue', role: 'first', label: y, weight: item.weight });
        queueReviewed += item.weight; queueHits += y * item.weight;
        const wt = (reviewedWait[world.category[r]] ??= { hours: [], weights: [] });
        wt.hours.push((reviewTs - item.arrivalTs) / MS_PER_HOUR); wt.weights.push(item.weight);
        if (y === 1) { removedAt[r] = reviewTs; removals.push({ row: r, week: k, weight: item.weight }); }
        else if (cfg.queueMode === 'suppressed') visibleFrom[r] = reviewTs;
      }
      const dayQueue = queue.spent - spentBefore;
      if (h % 24 === 0) days.push({ capacity: dayCap[d], queue: 0, explore: 0, audit: 0 });
      const today = days[days.length - 1];
      today.queue += dayQueue;
      if (h % 24 !== 23) continue;
      // End of the day: exploration and audit draws among the day's ALLOW uploads, one review each.
      const dayEnd = hourTs + MS_PER_HOUR;
      const allowed = rows.filter((r) => action[r] === ACTION.ALLOW && world.uploadTs[r] >= dayEnd - MS_PER_DAY && world.uploadTs[r] < dayEnd);
      exploreCarry += dayCap[d] * exploreShare;
      const nExplore = Math.floor(exploreCarry + 1e-9);
      exploreCarry -= nExplore;
      if (nExplore > 0) {
        const band = allowed.filter((r) => routeOf.get(r)! >= cfg.exploreBand * router.queueThreshold);
        const frame = band.reduce((s, r) => s + world.weight[r], 0);
        for (const r of drawByWeight(band, world.weight, nExplore, rng.fork(`explore:${k}:${d}`))) { sampledReview(r, dayEnd, 'explore', frame / nExplore); exploreUsed++; today.explore++; }
      }
      auditCarry += dayCap[d] * auditShare;
      const nAudit = Math.floor(auditCarry + 1e-9);
      auditCarry -= nAudit;
      const frame = allowed.reduce((s, r) => s + world.weight[r], 0);
      for (const r of drawByWeight(allowed, world.weight, nAudit, rng.fork(`audit:${k}:${d}`))) {
        auditPos += sampledReview(r, dayEnd, 'audit', frame / nAudit); auditDraws++; auditUsed++; today.audit++;
      }
    }

    // Appeals on this week's removals, decided by a second reviewer.
    let filed = 0, overturned = 0;
    const appealRng = rng.fork(`appeals:${k}`);
    for (const rem of removals) {
      if (rem.week !== k) continue;
      const p = world.trueHarmful[rem.row] === 1 ? cfg.appealRateHarmful : cfg.appealRateBenign;
      if (appealRng.next() >= p) continue;
      filed++;
      const y = reviewers.decide(rem.row, 'appeal');
      ledger.add({ row: rem.row, week: k, source: 'appeal', role: 'appeal', label: y, weight: rem.weight });
      if (y === 0) { overturned++; removedAt[rem.row] = NaN; visibleFrom[rem.row] = world.uploadTs[rem.row]; }
    }

    // Per-category time to review against the SLA, and items already past it.
    const waitingNow = queue.waiting();
    const weekEnd = weekStart + MS_PER_WEEK;
    const cats = new Set<string>([...Object.keys(reviewedWait), ...waitingNow.map((x) => world.category[x.row])]);
    const categories: WeekMetrics['queue']['categories'] = {};
    for (const c of [...cats].sort()) {
      const sla = slaFor(cfg, c);
      const rw = reviewedWait[c] ?? { hours: [], weights: [] };
      let inSla = 0, tot = 0;
      rw.hours.forEach((hh, i) => { tot += rw.weights[i]; if (hh <= sla) inSla += rw.weights[i]; });
      const breached = waitingNow.filter((x) => world.category[x.row] === c && (weekEnd - x.arrivalTs) / MS_PER_HOUR > sla).reduce((s, x) => s + x.weight, 0);
      categories[c] = {
        sla_hours: sla, reviewed: tot, p50_hours: weightedQuantile(rw.hours, rw.weights, 0.5), p90_hours: weightedQuantile(rw.hours, rw.weights, 0.9),
        within_sla: ratio(inSla, tot), breached_waiting: breached,
      };
    }

    // Exact rates from the ground truth.
    let pubW = 0, pubY = 0, alW = 0, alY = 0, alQ = 0, blY = 0, yW = 0;
    let riskAll = 0;
    for (const r of rows) {
      const w = world.weight[r], y = world.trueHarmful[r];
      yW += w * y; riskAll += w * world.baseRisk[r];
      const published = action[r] === ACTION.ALLOW || (action[r] === ACTION.QUEUE && cfg.queueMode === 'published');
      if (published) { pubW += w; pubY += w * y; }
      if (action[r] === ACTION.ALLOW) { alW += w; alY += w * y; alQ += w * world.q[r]; }
      if (action[r] === ACTION.BLOCK) blY += w * y;
    }
    const produced = ledger.records.filter((x) => x.week === k);
    const bySource: Record<string, number> = {};
    for (const x of produced) bySource[x.source] = (bySource[x.source] ?? 0) + 1;
    const firstLabels = produced.filter((x) => x.role === 'first');
    const hitRate = ratio(queueHits, queueReviewed);

    // Rollback: a model promoted for this week whose reviewed queue finds far less than its predecessor's.
    let rolledBack = false;
    if (promotedForWeek === k && previous && hitRate !== null && prevHitRate !== null && hitRate < cfg.rollbackHitRatio * prevHitRate) {
      promotions.push({ week: k + 1, model_id: previous.id, event: 'rollback' });
      current = previous;
      previous = null;
      rolledBack = true;
    }
    const apInForce = apOf(scores, rows.map((r) => world.trueHarmful[r]), rows.map((r) => world.weight[r]));
    const apRun = apOf(rows.map((r) => world.baseRisk[r]), rows.map((r) => world.trueHarmful[r]), rows.map((r) => world.weight[r]));

    // Weekly retrain on the labels produced before this week; this week's labels are the gate's holdout.
    let candidate: WeekMetrics['model']['candidate'] = null;
    if (cfg.retrain && k >= 1) {
      const train = ledger.trainingSet(0, k - 1);
      const pos = train.labels.reduce((s, y) => s + y, 0);
      if (pos >= 2 && pos < train.rows.length) {
        const head = fitHead(world, train.rows, train.labels, train.weights, { l2: cfg.retrainL2, steps: cfg.retrainSteps });
        fits.push({ week: k, rows: train.rows, labels: train.labels });
        const cand: LoopModel = {
          id: `${served.id}+loop-${strategy}-w${k}`, kind: 'retrained', trainedAfterWeek: k, head, trainLabels: train.rows.length, trainPositives: pos,
          queueThreshold: 0, blockThreshold: 1, blockEnabled: served.blockEnabled,
        };
        Object.assign(cand, volumeMatchedThresholds(world, cand, runModel, rowsUpToWeek(world, k)));
        const holdout = ledger.trainingSet(k, k);
        const { outcome } = gateCandidate(world, holdout, current, cand, { resamples: cfg.gateResamples, seed: cfg.seed + 1000 + k, minPositives: 5 });
        candidate = {
          id: cand.id, train_labels: cand.trainLabels, train_positives: pos, verdict: outcome.verdict, reasons: outcome.reasons,
          holdout_labels: outcome.holdoutLabels, holdout_positives: outcome.holdoutPositives,
          gate_ap_current: outcome.current.ap, gate_ap_candidate: outcome.candidate.ap,
          ap_next_week: weekAp(world, cand, k + 1), ap_next_week_current: weekAp(world, current, k + 1),
          mean_risk_next_week: weekMeanRisk(world, cand, k + 1),
        };
        if (outcome.verdict === 'promote') {
          previous = current; current = cand; promotedForWeek = k + 1;
          promotions.push({ week: k + 1, model_id: cand.id, event: 'promote' });
        }
      }
    }
    prevHitRate = hitRate;

    weeks.push({
      week: k, start: new Date(weekStart).toISOString(), model_id: inForce.id, uploads: wAll, rows: rows.length,
      true_prevalence: ratio(yW, wAll),
      actions: { allow: wAllow, queue: wQueue, block: wBlock },
      published_violating_rate: ratio(pubY, pubW), allowed_violating_rate: ratio(alY, alW), allowed_expected_review_rate: ratio(alQ, alW),
      audit: { draws: auditDraws, positives: auditPos, estimate: ratio(auditPos, auditDraws), ci: auditDraws > 0 ? wilsonInterval(auditPos / auditDraws, auditDraws) : null },
      exposure_upload_hours: 0, exposure_by_category: {}, exposure_by_fate: emptyFates(),
      queue: { arrivals: wQueue, reviewed: queueReviewed, depth_end: queue.waitingWeight, hit_rate: hitRate, categories },
      reviewers: {
        capacity: dayCap.reduce((s, x) => s + x, 0), queue: queueReviewed, explore: exploreUsed, audit: auditUsed,
        appeals: filed, utilization: ratio(queueReviewed + exploreUsed + auditUsed, dayCap.reduce((s, x) => s + x, 0)),
        agreement: Object.fromEntries(Object.entries(agreement).sort().map(([c, a]) => [c, a.sum / a.w])),
        days: days.slice(k * 7).map((x, i) => ({ day: k * 7 + i, ...x })),
      },
      appeals: { filed, overturned, overturn_rate: ratio(overturned, filed) },
      auto_block: { blocked: wBlock, precision: ratio(blY, wBlock) },
      labels: {
        produced: produced.length, positives: produced.reduce((s, x) => s + x.label, 0), by_source: bySource,
        positive_share: ratio(firstLabels.reduce((s, x) => s + x.label, 0), firstLabels.length),
        mean_served_risk_labelled: ratio(firstLabels.reduce((s, x) => s + world.baseRisk[x.row], 0), firstLabels.length),
        mean_served_risk_all: ratio(riskAll, wAll),
      },
      model: { ap: apInForce, ap_run_model: apRun, rolled_back: rolledBack, candidate },
    });
  }

  // Exposure: hours each harmful upload was visible before it was removed (or the horizon passed).
  // Each harmful upload also gets its fate, so the report can say whether exposure is backlog or misses.
  const horizon = cfg.exposureHorizonHours * MS_PER_HOUR;
  const fateOf = (r: number): Fate => {
    if (action[r] === ACTION.BLOCK) return 'blocked';
    if (action[r] === ACTION.ALLOW) return Number.isNaN(removedAt[r]) ? 'allowed_never_removed' : 'allowed_found';
    if (Number.isNaN(queueReviewedAt[r])) return 'queued_never_reviewed';
    return Number.isNaN(removedAt[r]) ? 'queued_cleared' : 'queued_removed';
  };
  for (let r = 0; r < n; r++) {
    if (world.trueHarmful[r] !== 1) continue;
    const hidden = (action[r] === ACTION.BLOCK && !Number.isNaN(removedAt[r])) || (action[r] === ACTION.QUEUE && cfg.queueMode === 'suppressed' && Number.isNaN(visibleFrom[r]));
    if (hidden) { weeks[world.week[r]].exposure_by_fate[fateOf(r)].uploads += world.weight[r]; continue; }
    let from = world.uploadTs[r];
    if (action[r] === ACTION.QUEUE && cfg.queueMode === 'suppressed') from = visibleFrom[r];
    let end = world.uploadTs[r] + horizon;
    if (!Number.isNaN(removedAt[r])) end = Math.min(end, removedAt[r]);
    if (!Number.isNaN(world.reactiveRemovalTs[r])) end = Math.min(end, world.reactiveRemovalTs[r]);
    const hours = (Math.max(0, end - from) / MS_PER_HOUR) * world.weight[r];
    const wk = weeks[world.week[r]];
    const fate = wk.exposure_by_fate[fateOf(r)];
    fate.uploads += world.weight[r]; fate.upload_hours += hours;
    wk.exposure_upload_hours += hours;
    wk.exposure_by_category[world.category[r]] = (wk.exposure_by_category[world.category[r]] ?? 0) + hours;
  }

  if (trace) { trace.ledger = ledger; trace.fits = fits; }
  const aps = weeks.map((w) => w.model.ap).filter((x): x is number => x !== null);
  return {
    strategy, weeks, promotions,
    totals: {
      exposure_upload_hours: weeks.reduce((s, w) => s + w.exposure_upload_hours, 0),
      exposure_by_fate: sumFates(weeks.map((w) => w.exposure_by_fate)),
      reviews: weeks.reduce((s, w) => s + w.reviewers.queue + w.reviewers.explore + w.reviewers.audit, 0),
      capacity: weeks.reduce((s, w) => s + w.reviewers.capacity, 0),
      appeals_filed: weeks.reduce((s, w) => s + w.appeals.filed, 0),
      appeals_overturned: weeks.reduce((s, w) => s + w.appeals.overturned, 0),
      mean_ap: aps.length ? aps.reduce((s, x) => s + x, 0) / aps.length : null,
      final_ap: weeks[weeks.length - 1]?.model.ap ?? null,
    },
  };
}
