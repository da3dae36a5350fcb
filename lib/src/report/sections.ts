import type { ReportInput } from './types.js';
import { criterionVerdict, type Verdict } from './criteria.js';
import { ms, num, numCi, pct, pctCi } from './format.js';
import {
  attentionStripSvg, barsWithCiSvg, prCurveSvg, prevalenceSvg, psiHeatmapSvg, reliabilitySvg, rocCurveSvg, thresholdSweepSvg,
} from './charts.js';
import { thresholdExplorerHtml } from './plotly.js';

/**
 * The report as format-neutral blocks. html.ts and markdown.ts render the same blocks, so both
 * formats always show the same numbers; only charts and the interactive explorer are HTML-only.
 */
export type Tone = 'good' | 'warn' | 'bad' | 'muted';
export interface Cell { text: string; tone?: Tone }
export type Block =
  | { kind: 'para'; text: string; tone?: Tone }
  | { kind: 'table'; header: string[]; rows: (string | Cell)[][]; caption?: string }
  | { kind: 'kv'; items: [string, string][] }
  | { kind: 'chart'; name: string; svg: string; caption?: string }
  | { kind: 'interactive'; name: string; html: string; caption?: string };

export interface Section {
  id: string;
  title: string;
  /** False when the stage did not run: the section shows a "not run" notice. */
  ran: boolean;
  blocks: Block[];
}

const VERDICT_TONE: Record<Verdict, Tone> = { 'met': 'good', 'not proven': 'warn', 'not met': 'bad', 'not measured': 'muted' };
const LEVEL_TONE = { ok: 'good', warn: 'warn', alert: 'bad' } as const;

function criterionRows(list: NonNullable<NonNullable<ReportInput['test']>['criteria']>): (string | Cell)[][] {
  return list.map((c) => {
    const v = criterionVerdict(c);
    const show = (x: number) => (c.unit === 'ms' ? ms(x) : c.unit === '%' ? pct(x) : num(x));
    const metric = !c.metric ? '—' : c.unit === '%' ? pctCi(c.metric) : c.metric.ci && c.metric.ci[0] !== c.metric.ci[1]
      ? `${show(c.metric.value)} [${show(c.metric.ci[0])}, ${show(c.metric.ci[1])}]` : show(c.metric.value);
    return [c.name, `${c.direction} ${show(c.target)}`, metric, { text: v, tone: VERDICT_TONE[v] }];
  });
}

const CRITERIA_NOTE = 'A criterion is **met** only when its 95% interval clears the target on the safe side; ' +
  'a point estimate that meets it with an interval that does not is **not proven**.';

/** Build every section (charts rendered to SVG here). */
export async function buildSections(input: ReportInput, opts: { interactive?: boolean } = {}): Promise<Section[]> {
  const interactive = opts.interactive ?? true;
  const S: Section[] = [];
  const add = (id: string, title: string, ran: boolean, blocks: Block[]) => S.push({ id, title, ran, blocks });

  // Overview
  const o = input.overview;
  add('overview', 'Run', Boolean(o), o ? [
    ...(o.description ? [{ kind: 'para', text: o.description } as Block] : []),
    { kind: 'kv', items: [
      ['run', input.runId], ['config', o.configName ?? '—'], ['dataset', `${o.datasetPath ?? '—'} (${o.datasetFingerprint?.slice(0, 12) ?? 'no fingerprint'})`],
      ['split fingerprint', o.splitFingerprint?.slice(0, 12) ?? '—'], ['git commit', o.gitCommit ?? 'not a git checkout'],
      ['tfjs backend', o.backend ?? '—'], ['node', o.node ?? '—'],
    ] },
    ...(o.timings && Object.keys(o.timings).length ? [{
      kind: 'table', caption: 'Stage timings', header: ['stage', 'seconds'],
      rows: [...Object.entries(o.timings).map(([k, v]) => [k, v.toFixed(1)]), ['total', Object.values(o.timings).reduce((a, b) => a + b, 0).toFixed(1)]],
    } as Block] : []),
  ] : []);

  // Data profile
  const p = input.profile;
  const profileBlocks: Block[] = [];
  if (p) {
    profileBlocks.push({ kind: 'kv', items: [
      ['videos', num(p.rows)], ['harmful (label)', num(p.positives)], ['prevalence', pct(p.prevalence, 3)],
      ...(p.creators !== undefined ? [['creators', num(p.creators)] as [string, string]] : []),
      ...Object.entries(p.stats ?? {}).map(([k, v]) => [k, typeof v === 'number' ? num(v) : v] as [string, string]),
    ] });
    if (p.missing && Object.keys(p.missing).length) {
      profileBlocks.push({ kind: 'table', caption: 'Missing fields and modalities', header: ['field', 'missing'], rows: Object.entries(p.missing).map(([k, v]) => [k, pct(v)]) });
    }
    if (p.weeks?.length) profileBlocks.push({ kind: 'chart', name: 'prevalence', svg: await prevalenceSvg(p.weeks), caption: 'Harmful share by upload week.' });
  }
  add('profile', 'Data profile', Boolean(p), profileBlocks);

  // Split audit and leakage demonstration
  const sp = input.split;
  const splitBlocks: Block[] = [];
  if (sp) {
    splitBlocks.push({ kind: 'table', caption: 'Leakage-safe split', header: ['split', 'videos', 'harmful', 'groups', 'upload window'],
      rows: sp.counts.map((c) => [c.split, num(c.rows), num(c.positives), c.groups === undefined ? '—' : num(c.groups), c.from || c.to ? `${c.from ?? ''} → ${c.to ?? ''}` : '—']) });
    if (sp.audit?.length) {
      splitBlocks.push({ kind: 'table', caption: 'Audit', header: ['check', 'result', 'detail'],
        rows: sp.audit.map((a) => [a.check, { text: a.passed ? 'pass' : 'FAIL', tone: a.passed ? 'good' : 'bad' }, a.detail ?? '']) });
    }
    if (sp.leakage?.rows.length) {
      const L = sp.leakage;
      splitBlocks.push({ kind: 'table', caption: `Leakage demonstration (${L.metric})`, header: ['evaluation', L.metric, 'split kind'],
        rows: L.rows.map((r) => [r.setting, numCi({ value: r.value, ci: r.ci }), r.leaky ? 'leaky' : 'leakage-safe']) });
      splitBlocks.push({ kind: 'chart', name: 'leakage', svg: await barsWithCiSvg(L.rows.map((r) => ({ label: r.setting, value: r.value, lo: r.ci?.[0], hi: r.ci?.[1], group: r.leaky ? 'leaky' : 'leakage-safe' })), { title: 'Leakage demonstration', valueTitle: L.metric }), caption: L.note });
    }
  }
  add('split', 'Split audit and leakage', Boolean(sp), splitBlocks);

  // Model comparison
  const m = input.models;
  add('models', 'Models and ablations', Boolean(m), m ? [
    { kind: 'table', header: ['model', 'AP', 'recall @ 2% FPR', 'top-1% precision', 'ROC AUC', 'ECE', 'note'],
      rows: m.rows.map((r) => [r.name, numCi(r.ap), pctCi(r.recallAt2Fpr), pctCi(r.top1Precision), num(r.rocAuc, 3), num(r.ece, 4), r.note ?? '']) },
    ...(m.note ? [{ kind: 'para', text: m.note } as Block] : []),
  ] : []);

  // Training recipe and model selection
  const tr = input.training;
  const trainingBlocks: Block[] = [];
  if (tr) {
    if (tr.basis) trainingBlocks.push({ kind: 'para', text: `Recipe derived from the training rows: ${tr.basis}. A value set in the experiment config wins over the derived one.` });
    if (tr.recipe.length) {
      trainingBlocks.push({ kind: 'table', caption: 'Training recipe', header: ['setting', 'value', 'source', 'why'],
        rows: tr.recipe.map((e) => [e.field, String(e.value), { text: e.source, tone: e.source === 'explicit' ? 'muted' : undefined }, e.reason]) });
    }
    const sel = tr.selection;
    if (sel) {
      trainingBlocks.push({ kind: 'table', caption: `Model selection on the calibration window (weighted AP; lift lower bound = 5th percentile of AP − chance over ${sel.resamples ?? '—'} creator resamples)`,
        header: ['model', 'calibration AP', 'chance', 'lift lower bound', 'verdict'],
        rows: [
          ...sel.towers.map((t) => [`tower: ${t.tower}`, num(t.calibAp, 4), num(t.chance, 4), num(t.liftLow, 4),
            !t.judged ? { text: 'not judged (no single-tower model)', tone: 'muted' as Tone } : t.aboveChance ? { text: 'above chance', tone: 'good' as Tone } : { text: 'not above chance: dropped', tone: 'bad' as Tone }]),
          ...(sel.fusedRetrained && sel.fusedCalibApAllTowers !== undefined ? [['fused, all towers', num(sel.fusedCalibApAllTowers, 4), '', '', 'replaced']] : []),
          [`fused (${sel.fusedTowers.join(' + ')})`, num(sel.fusedCalibAp, 4), '', '', sel.exported === 'fusion' ? { text: 'exported', tone: 'good' as Tone } : 'not exported'],
        ] });
      trainingBlocks.push({ kind: 'kv', items: [
        ['exported model', sel.exported],
        ['fusion beat the best single tower (calibration weeks)', sel.fusionBeatBestTower === null ? 'no single tower to compare with' : sel.fusionBeatBestTower ? 'yes' : 'no'],
      ] });
      trainingBlocks.push({ kind: 'para', text: `Why: ${sel.reason}. The test weeks take no part in this choice.`, tone: sel.exported === 'fusion' ? undefined : 'warn' });
    }
  }
  add('training', 'Training recipe and model selection', Boolean(tr), trainingBlocks);

  // Test metrics and criteria
  const t = input.test;
  const testBlocks: Block[] = [];
  if (t) {
    testBlocks.push({ kind: 'kv', items: [['test videos', num(t.n)], ['harmful', num(t.positives)], ['AP', numCi(t.ap)], ['ROC AUC', numCi(t.rocAuc)], ['ECE', num(t.ece, 4)], ['Brier', num(t.brier, 5)]] });
    const rates = [...Object.entries(t.recallAtFpr ?? {}).map(([k, v]) => [`recall at ${pct(Number(k))} FPR`, pctCi(v)]), ...Object.entries(t.precisionAtTop ?? {}).map(([k, v]) => [`precision in top ${pct(Number(k))}`, pctCi(v)])];
    if (rates.length) testBlocks.push({ kind: 'table', caption: 'Operating points (95% group-bootstrap intervals)', header: ['metric', 'value [95% CI]'], rows: rates });
    if (t.criteria?.length) {
      testBlocks.push({ kind: 'table', caption: 'Success criteria', header: ['criterion', 'target', 'measured [95% CI]', 'verdict'], rows: criterionRows(t.criteria) });
      testBlocks.push({ kind: 'para', text: CRITERIA_NOTE });
    }
  }
  add('test', 'Test metrics and success criteria', Boolean(t), testBlocks);

  // Curves
  const c = input.curves;
  add('curves', 'PR and ROC curves', Boolean(c), c ? [
    { kind: 'chart', name: 'pr', svg: await prCurveSvg(c.pr, { prevalence: c.prevalence }), caption: 'Dashed line: prevalence (a random ranker).' },
    { kind: 'chart', name: 'roc', svg: await rocCurveSvg(c.roc, { markFpr: [0.02] }), caption: 'Log FPR axis: the operating region is FPR ≤ 2%.' },
  ] : []);

  // Reliability
  const r = input.reliability;
  add('reliability', 'Calibration', Boolean(r), r ? [
    { kind: 'kv', items: [['method', r.method ?? '—'], ['ECE (test)', num(r.ece, 4)]] },
    ...(r.comparison?.length ? [{ kind: 'table', caption: 'Calibrators on the calibration window', header: ['method', 'ECE', 'Brier', 'log loss'], rows: r.comparison.map((x) => [x.method, num(x.ece, 4), num(x.brier, 5), num(x.logLoss, 4)]) } as Block] : []),
    { kind: 'chart', name: 'reliability', svg: await reliabilitySvg(r.bins), caption: 'Points sized by videos in the bin; bars are 95% intervals of the observed rate.' },
  ] : []);

  // Policy and sweep
  const po = input.policy;
  const policyBlocks: Block[] = [];
  if (po) {
    policyBlocks.push({ kind: 'kv', items: [
      ['BLOCK threshold', num(po.blockThreshold, 4)], ['QUEUE threshold', num(po.queueThreshold, 4)],
      ['feasible', po.feasible ? 'yes — every constraint holds' : 'NO — the constraints cannot all hold'],
      ['binding constraints', po.binding.length ? po.binding.join(', ') : 'none'],
      ...(po.actionShares ? [['expected actions', `ALLOW ${pct(po.actionShares.allow, 2)}, QUEUE ${pct(po.actionShares.queue, 2)}, BLOCK ${pct(po.actionShares.block, 2)}`] as [string, string]] : []),
    ] });
    policyBlocks.push({ kind: 'para', text: po.feasible ? 'The policy meets its constraints.' : 'The policy is infeasible: see which constraints bind below.', tone: po.feasible ? 'good' : 'bad' });
    if (po.constraints.length) policyBlocks.push({ kind: 'table', caption: 'Constraints (measured on the calibration window)', header: ['constraint', 'target', 'achieved [95% CI]', 'verdict'], rows: criterionRows(po.constraints) });
    for (const n of po.notes ?? []) policyBlocks.push({ kind: 'para', text: n });
    if (po.sweep.length) {
      policyBlocks.push({ kind: 'chart', name: 'sweep', svg: await thresholdSweepSvg(po.sweep, { block: po.blockThreshold, queue: po.queueThreshold, maxFpr: po.maxFpr }), caption: 'Chosen QUEUE and BLOCK thresholds marked; dotted line: the FPR limit.' });
      if (interactive) policyBlocks.push({ kind: 'interactive', name: 'threshold-explorer', html: thresholdExplorerHtml('threshold-explorer', po.sweep, { block: po.blockThreshold, queue: po.queueThreshold, maxFpr: po.maxFpr }), caption: 'Drag the slider to read the operating point at any threshold.' });
    }
  }
  add('policy', 'Threshold sweep and policy', Boolean(po), policyBlocks);

  // Slices
  const sl = input.slices;
  const sliceBlocks: Block[] = [];
  if (sl) {
    sliceBlocks.push({ kind: 'table', header: ['slice', 'videos', 'harmful', 'AP', 'recall @ 2% FPR', 'top-1% precision', 'judgeable'],
      rows: sl.rows.map((x) => {
        const small = x.positives < sl.minPositives;
        return [x.slice, num(x.n), num(x.positives), numCi(x.ap), pctCi(x.recall), pctCi(x.top1Precision), small ? { text: `too small (< ${sl.minPositives} harmful)`, tone: 'muted' } : { text: 'yes', tone: 'good' }];
      }) });
    const bars = sl.rows.filter((x) => x.recall).map((x) => ({ label: x.slice, value: x.recall!.value, lo: x.recall!.ci?.[0], hi: x.recall!.ci?.[1], muted: x.positives < sl.minPositives }));
    if (bars.length) sliceBlocks.push({ kind: 'chart', name: 'slices', svg: await barsWithCiSvg(bars, { title: 'Recall at 2% FPR by slice', valueTitle: 'recall', domain: [0, 1] }), caption: `Faded bars: fewer than ${sl.minPositives} harmful videos, too small to judge.` });
  }
  add('slices', 'Slices', Boolean(sl), sliceBlocks);

  // Attention
  const at = input.attention;
  add('attention', 'Frame attention', Boolean(at && at.rows.length), at && at.rows.length ? [
    { kind: 'chart', name: 'attention', svg: await attentionStripSvg(at.rows), caption: at.note },
  ] : []);

  // Drift
  const d = input.drift;
  const driftBlocks: Block[] = [];
  if (d) {
    driftBlocks.push({ kind: 'para', text: `Overall: ${d.level.toUpperCase()}. PSI against the training reference (${num(d.referenceRows)} videos); warn at ${d.thresholds.warn}, alert at ${d.thresholds.alert}; weeks with fewer than ${d.minRows} videos are shown but never alert.`, tone: LEVEL_TONE[d.level] });
    if (d.alerts.length) {
      driftBlocks.push({ kind: 'table', caption: 'Alerts', header: ['week', 'feature', 'group', 'PSI', 'level'],
        rows: d.alerts.map((a) => [a.week, a.feature, a.group, a.psi.toFixed(3), { text: a.level, tone: LEVEL_TONE[a.level] }]) });
    }
    driftBlocks.push({ kind: 'table', caption: 'Weeks (max PSI over the features large enough to judge)', header: ['week', 'videos', 'harmful share', 'max PSI', 'level'],
      rows: d.weeks.map((w) => [w.week, num(w.n), w.prevalence === null || w.prevalence === undefined ? 'unlabelled' : pct(w.prevalence, 2), w.maxPsi.toFixed(3), w.tooSmall ? { text: 'too small', tone: 'muted' } : { text: w.level, tone: LEVEL_TONE[w.level] }]) });
    const cells = d.weeks.flatMap((w) => w.features.map((f) => ({ week: w.week, feature: `${f.group}: ${f.name}`, psi: f.psi, muted: f.tooSmall === true })));
    if (cells.length) driftBlocks.push({ kind: 'chart', name: 'psi', svg: await psiHeatmapSvg(cells), caption: 'Faded cells: too few rows that week to judge (shown, never alerting).' });
    const prev = d.weeks.filter((w) => typeof w.prevalence === 'number').map((w) => ({ week: w.week, prevalence: w.prevalence as number, n: w.n }));
    if (prev.length) driftBlocks.push({ kind: 'chart', name: 'drift-prevalence', svg: await prevalenceSvg(prev, { title: 'Harmful share by week (label drift)' }) });
  }
  add('drift', 'Drift monitoring', Boolean(d), driftBlocks);

  // Label noise
  const ln = input.labelNoise;
  add('label-noise', 'Label-noise audit', Boolean(ln), ln ? [
    { kind: 'kv', items: [['method', ln.method ?? '—'], ['estimated label-flip rate', pctCi(ln.estimatedFlipRate, 2)]] },
    { kind: 'table', caption: 'Re-review list (most suspicious labels first)', header: ['video', 'label', 'score', 'why'], rows: ln.rows.map((x) => [x.videoId, String(x.label), x.score.toFixed(4), x.reason]) },
  ] : []);

  // Latency
  const la = input.latency;
  add('latency', 'Serving latency', Boolean(la), la ? [
    { kind: 'kv', items: [['requests', num(la.n)], ['p50', ms(la.p50)], ['p99', ms(la.p99)], ['mean', ms(la.mean)], ['max', ms(la.max)],
      ['budget', ms(la.budgetMs)], ['throughput', la.throughputPerS ? `${num(Math.round(la.throughputPerS))} videos/s` : '—']] },
    { kind: 'para', text: la.p99 < la.budgetMs ? `p99 is ${(la.budgetMs / Math.max(la.p99, 1e-9)).toFixed(0)}× inside the ${la.budgetMs} ms budget.` : `p99 exceeds the ${la.budgetMs} ms budget.`, tone: la.p99 < la.budgetMs ? 'good' : 'bad' },
    ...(la.note ? [{ kind: 'para', text: la.note } as Block] : []),
  ] : []);

  // Reason codes
  const rc = input.reasonCodes;
  add('reason-codes', 'Reason-code catalogue', Boolean(rc), rc ? [
    { kind: 'table', header: ['code', 'modality', 'message', 'share of flagged'], rows: rc.rows.map((x) => [x.code, x.modality, x.message, pct(x.share)]) },
  ] : []);

  return S;
}
