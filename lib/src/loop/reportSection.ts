import type { ExposureFates, LoopResult, StrategyResult } from './schema.js';
import { renderVegaLite } from '../report/vega.js';
import { num, pct } from '../report/format.js';
import type { Block, Section } from '../report/sections.js';

/** One point of a per-week series (strategy × week). */
export interface WeekSeriesPoint { week: number; series: string; value: number }

/** Per-week lines, one per series (strategy): the loop's charts. */
export function weekLinesSvg(points: WeekSeriesPoint[], opts: { title: string; valueTitle: string; percent?: boolean }): Promise<string> {
  return renderVegaLite({
    title: opts.title, width: 520, height: 200,
    data: { values: points.map((p) => ({ ...p, shown: opts.percent ? p.value * 100 : p.value })) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'week', type: 'ordinal', title: 'loop week', axis: { grid: false } },
      y: { field: 'shown', type: 'quantitative', title: opts.valueTitle },
      color: { field: 'series', type: 'nominal', title: null },
    },
  });
}

export function weekSeries(r: LoopResult, pick: (w: StrategyResult['weeks'][number]) => number | null): WeekSeriesPoint[] {
  return r.strategies.flatMap((s) => s.weeks.flatMap((w) => {
    const v = pick(w);
    return v === null || !Number.isFinite(v) ? [] : [{ week: w.week, series: s.strategy, value: v }];
  }));
}

const opt = (x: number | null, f: (v: number) => string) => (x === null ? '—' : f(x));

// Exposure fates in reading order: what the thresholds let through, then what the queue's capacity left waiting.
const FATE_LABELS: [keyof ExposureFates, string][] = [
  ['allowed_never_removed', 'allowed, never removed'], ['allowed_found', 'allowed, found by explore/audit'],
  ['queued_removed', 'queued, removed on review'], ['queued_cleared', 'queued, cleared by the reviewer'],
  ['queued_never_reviewed', 'queued, never reviewed (backlog)'], ['blocked', 'blocked'],
];

/**
 * The moderation-loop section: per strategy the totals, per week the operation's numbers, the SLA
 * table per harm category, and the charts of AP, exposure and the audit's estimate over weeks.
 */
export async function buildLoopSections(r: LoopResult): Promise<Section[]> {
  const S: Section[] = [];
  S.push({ id: 'loop-overview', title: 'Moderation loop', ran: true, blocks: [
    { kind: 'para', text: `Replays ${r.config.weeks} simulated weeks (${r.source.rows} stored rows standing for ${Math.round(r.source.uploads)} uploads; world weeks ${r.source.world_weeks.join(', ')} of the '${r.source.preset}' world, seed ${r.source.seed}, stream '${r.source.salt}') through run ${r.run.id} (policy ${r.run.policy_version}), once per routing strategy. Capacity ${pct(r.config.capacityShare)} of each day's uploads; queued items ${r.config.queueMode} while they wait; retraining ${r.config.retrain ? `weekly (a promoted model ${r.config.retrainedRouting === 'queue-order' ? 'orders the review queue; the run\'s policy routes' : 'routes at the run policy\'s volume'})` : 'off'}.` },
    { kind: 'table', header: ['strategy', 'exposure (upload-hours)', 'reviews / capacity', 'appeals overturned', 'mean AP', 'final-week AP', 'promotions'],
      rows: r.strategies.map((s) => [s.strategy, num(s.totals.exposure_upload_hours), `${num(s.totals.reviews)} / ${num(s.totals.capacity)}`,
        `${s.totals.appeals_overturned}/${s.totals.appeals_filed}`, opt(s.totals.mean_ap, num), opt(s.totals.final_ap, num),
        s.promotions.map((p) => `${p.event} w${p.week}`).join(', ') || 'none']) },
    { kind: 'table', caption: 'Where the harmful exposure comes from: harmful uploads by fate, upload-hours visible (mean hours each)',
      header: ['strategy', ...FATE_LABELS.map(([, l]) => l)],
      rows: r.strategies.map((s) => [s.strategy, ...FATE_LABELS.map(([f]) => {
        const x = s.totals.exposure_by_fate[f];
        return x.uploads > 0 ? `${Math.round(x.upload_hours).toLocaleString('en-US')} h · ${Math.round(x.uploads)} uploads (${(x.upload_hours / x.uploads).toFixed(1)} h each)` : '—';
      })]) },
  ] });
  for (const s of r.strategies) {
    const blocks: Block[] = [
      { kind: 'table', header: ['week', 'model', 'prevalence', 'published violating', 'audit estimate [95% CI]', 'exposure (h)', 'queue in / reviewed / depth', 'hit rate', 'utilization', 'appeals overturned', 'label positive share', 'AP (truth)', 'candidate → next-week AP', 'gate'],
        rows: s.weeks.map((w) => [String(w.week), w.model_id.length > 24 ? '…' + w.model_id.slice(-22) : w.model_id, opt(w.true_prevalence, pct), opt(w.published_violating_rate, pct),
          w.audit.draws ? `${opt(w.audit.estimate, pct)} [${pct(w.audit.ci![0])}, ${pct(w.audit.ci![1])}] (n=${w.audit.draws})` : '—',
          num(w.exposure_upload_hours), `${num(w.queue.arrivals)} / ${num(w.queue.reviewed)} / ${num(w.queue.depth_end)}`, opt(w.queue.hit_rate, pct),
          opt(w.reviewers.utilization, pct), `${w.appeals.overturned}/${w.appeals.filed}`, opt(w.labels.positive_share, pct), opt(w.model.ap, num),
          w.model.candidate ? `${opt(w.model.candidate.ap_next_week, num)} (in force: ${opt(w.model.candidate.ap_next_week_current, num)})` : '—',
          w.model.candidate?.verdict ?? '—']) },
    ];
    const cats = new Map<string, { sla: number; reviewed: number; within: number; breached: number; p90: number[] }>();
    for (const w of s.weeks) for (const [c, v] of Object.entries(w.queue.categories)) {
      const a = cats.get(c) ?? { sla: v.sla_hours, reviewed: 0, within: 0, breached: 0, p90: [] };
      a.reviewed += v.reviewed; a.within += (v.within_sla ?? 0) * v.reviewed; a.breached += v.breached_waiting;
      if (v.p90_hours !== null) a.p90.push(v.p90_hours);
      cats.set(c, a);
    }
    blocks.push({ kind: 'table', caption: 'Time to review per true category against its SLA (all weeks)', header: ['category', 'SLA (h)', 'reviewed', 'within SLA', 'worst weekly p90 (h)', 'past SLA still waiting (week ends)'],
      rows: [...cats.entries()].map(([c, a]) => [c, num(a.sla), num(a.reviewed), a.reviewed ? pct(a.within / a.reviewed) : '—', a.p90.length ? num(Math.max(...a.p90)) : '—', num(a.breached)]) });
    S.push({ id: `loop-${s.strategy.replace(/[^a-z]+/g, '-')}`, title: `Loop: ${s.strategy}`, ran: true, blocks });
  }
  const charts: Block[] = [
    { kind: 'chart', name: 'loop-ap', svg: await weekLinesSvg(weekSeries(r, (w) => w.model.ap), { title: 'AP of the model in force on each week (ground truth)', valueTitle: 'AP' }) },
    { kind: 'chart', name: 'loop-exposure', svg: await weekLinesSvg(weekSeries(r, (w) => w.exposure_upload_hours), { title: 'Harmful exposure before removal', valueTitle: 'upload-hours' }) },
    { kind: 'chart', name: 'loop-violating', svg: await weekLinesSvg([
      ...weekSeries(r, (w) => w.allowed_violating_rate).map((p) => ({ ...p, series: `${p.series}: truth` })),
      ...weekSeries(r, (w) => w.audit.estimate).map((p) => ({ ...p, series: `${p.series}: audit` })),
    ], { title: 'Violating rate among ALLOW uploads: exact vs the audit estimate', valueTitle: '%', percent: true }) },
  ];
  S.push({ id: 'loop-charts', title: 'Loop charts', ran: true, blocks: charts });
  return S;
}
