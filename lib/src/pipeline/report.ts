/**
 * A run's report: the run folder's JSON (metrics, policy, manifest) plus the stage outputs that only
 * the running pipeline holds (curves, sweep, split audit, leakage demo, attention, drift, latency).
 * It reads results; nothing here fits a calibrator or runs the network.
 */
import { readRun } from '../runs/runFolder.js';
import { reportInputFromRun } from '../report/fromRun.js';
import { writeReport } from '../report/render.js';
import type { ReportInput, SplitSection, ProfileSection, LabelNoiseSection } from '../report/types.js';
import { thin, type CurveSeries, type PrPoint, type RocPoint, type SweepPoint, type AttentionRow } from '../report/charts.js';
import { prepareScored, curveOf, prCurve, rocCurve } from '../stats/curves.js';
import { reliabilityDiagram } from '../stats/reliability.js';
import { thresholdSweep } from '../policy/sweep.js';
import { REASON_CODES } from '../serve/reasonCodes.js';
import { SPLIT_NAMES } from '../split/types.js';
import { MS_PER_WEEK } from '../data/table.js';
import type { RunState } from './run.js';
import type { MetricBlock } from '../eval/evaluate.js';
import { LATENCY_BUDGET_MS } from '../serve/latency.js';

const pick = <T extends { [k: number]: number }>(a: T, rows: number[]) => rows.map((r) => a[r]);

function curves(name: string, scores: ArrayLike<number>, labels: number[], weights: number[]) {
  const c = curveOf(prepareScored(scores, labels, weights));
  const pr = prCurve(c), roc = rocCurve(c);
  const prPts: PrPoint[] = Array.from(pr.recall, (r, k) => ({ recall: r, precision: pr.precision[k] }));
  const rocPts: RocPoint[] = Array.from(roc.fpr, (f, k) => ({ fpr: f, tpr: roc.tpr[k] }));
  return { pr: { name, points: thin(prPts, 300) } as CurveSeries<PrPoint>, roc: { name, points: thin(rocPts, 300) } as CurveSeries<RocPoint> };
}

const vci = (b: MetricBlock, path: string): { value: number; ci?: [number, number] } | undefined => {
  let cur: unknown = b;
  for (const k of path.split('/')) cur = (cur as Record<string, unknown> | undefined)?.[k];
  const v = cur as { value?: number | null; ci?: [number, number] | null } | undefined;
  return v && typeof v.value === 'number' ? { value: v.value, ...(v.ci ? { ci: v.ci } : {}) } : undefined;
};

function splitSection(s: RunState): SplitSection {
  const { table } = s.ds;
  const a = s.split.assignment;
  const counts = SPLIT_NAMES.map((name, k) => {
    let rows = 0, positives = 0, lo = Infinity, hi = -Infinity;
    const groups = new Set<number>();
    for (let i = 0; i < table.n; i++) {
      if (a.split[i] !== k) continue;
      rows++; positives += table.harmful[i] === 1 ? 1 : 0; groups.add(a.groupId[i]);
      lo = Math.min(lo, table.uploadTs[i]); hi = Math.max(hi, table.uploadTs[i]);
    }
    const day = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : undefined);
    return { split: name, rows, positives, groups: groups.size, from: day(lo), to: day(hi) };
  });
  const pu = s.split.report.purge;
  const checks = [
    ...s.split.audit.overlaps.map((o) => ({
      check: `no leakage group shared by ${o.a} and ${o.b}`, passed: o.groups === 0,
      detail: `${o.groups} shared groups, ${o.nearDupClusters} shared near-duplicate clusters, ${o.creators} shared creators${s.split.audit.creatorGrouping ? '' : ' (creators may recur: features are point-in-time)'}`,
    })),
    ...s.split.report.pointInTime.checks.map((c) => ({
      check: `point-in-time: ${c.name} never uses information from after upload_ts`, passed: c.pass,
      detail: `${c.violations} violations in ${c.rowsChecked} rows of ${c.creatorsChecked} creators`,
    })),
    {
      check: 'purge gaps and groups reaching into a later window', passed: true,
      detail: `${pu.gapTrainCalib + pu.gapCalibTest} rows in the gaps, ${pu.groupFromTrain} train and ${pu.groupFromCalib} calibration rows whose group reaches a later window (${pu.positivesPurged} positives purged)`,
    },
  ];
  const leak = s.leakage;
  return {
    counts,
    groups: s.split.report.groups.count,
    audit: checks,
    leakage: leak ? {
      metric: 'AP and recall@2%FPR of the same model',
      rows: [
        { setting: 'random row split — AP', ...vci(leak.random, 'ap')!, leaky: true },
        { setting: 'leakage-safe split — AP', ...vci(leak.safe, 'ap')!, leaky: false },
        { setting: 'random row split — recall@2%FPR', ...vci(leak.random, 'recall_at_fpr/0.02')!, leaky: true },
        { setting: 'leakage-safe split — recall@2%FPR', ...vci(leak.safe, 'recall_at_fpr/0.02')!, leaky: false },
      ],
      note: `Model: ${leak.model}. The random split puts re-uploads and future weeks on both sides.`,
    } : undefined,
  };
}

function profileSection(s: RunState): ProfileSection {
  const p = s.ds.profile;
  const start = Date.parse(p.start);
  return {
    rows: p.n_rows, positives: p.positives, prevalence: p.prevalence,
    creators: new Set(s.ds.table.creatorId).size,
    weeks: p.week_prevalence.map((v, k) => ({ week: new Date(start + k * MS_PER_WEEK).toISOString().slice(0, 10), prevalence: v, n: 0 })),
    missing: { metadata: p.missing_metadata_rate, audio: p.no_audio_rate, transcript: 1 - p.asr_rate },
    stats: {
      'uploads represented (Σ weight)': Math.round(p.n_virtual),
      'non-English share of transcripts': p.non_english_asr_rate,
      'mean / max frames': `${p.mean_frames.toFixed(1)} / ${p.max_frames}`,
      ...(p.rater_kappa !== null ? { "rater Cohen's kappa": p.rater_kappa } : {}),
      ...(p.reupload_rate !== null ? { 're-upload rate (all / harmful)': `${(p.reupload_rate * 100).toFixed(1)}% / ${((p.harmful_reupload_rate ?? 0) * 100).toFixed(1)}%` } : {}),
      'frame / audio embedding dims': `${p.frame_dim} / ${p.audio_dim}`,
    },
  };
}

/** The attention examples the test evaluation picked, labelled for the strip chart. */
function attentionRows(s: RunState): AttentionRow[] {
  return s.attention.map((x) => ({ label: `${x.videoId} (risk ${x.risk.toFixed(3)}, ${x.frames} frames)`, weights: x.weights }));
}

function labelNoiseSection(s: RunState): LabelNoiseSection | undefined {
  const noise = s.noise;
  if (!noise) return undefined;
  const audit = s.noiseAudit;
  return {
    method: `confident learning on ${noise.folds}-fold out-of-fold scores (${noise.action} flagged rows)` +
      (audit ? `; against the simulator's true labels: ${audit.flagged} flagged, precision ${(audit.precision * 100).toFixed(1)}%, recall ${(audit.recall * 100).toFixed(1)}% of ${audit.mislabelled} mislabelled training rows` : ''),
    rows: noise.suspects.slice(0, 25).map((x) => ({
      videoId: x.videoId, label: x.observed, score: x.oofP,
      reason: x.observed === 1 ? 'labelled harmful, model confidently benign' : 'labelled benign, model confidently harmful',
    })),
  };
}

/** The calibration comparison on the test weeks, the chosen method marked. */
function calibrationComparison(s: RunState) {
  return s.calibrationTest.map((r) => ({ method: r.chosen ? `${r.method} (chosen)` : r.method, ece: r.ece, brier: r.brier, logLoss: r.heldoutLogLoss }));
}

export async function writeRunReport(dir: string, s: RunState): Promise<void> {
  const { table } = s.ds;
  const test = s.rows.test;
  const y = pick(table.harmful, test), w = pick(table.weight, test);
  const fusion = curves('fusion (calibrated)', s.scores.testP, y, w);
  const series = [fusion];
  for (const m of s.comparison) if (['logistic', 'cart', 'tower:visual'].includes(m.name)) series.push(curves(m.name, m.testScores, y, w));
  const calibY = pick(table.harmful, s.rows.calib), calibW = pick(table.weight, s.rows.calib);
  const sweep: SweepPoint[] = thresholdSweep(s.scores.calibP, calibY, calibW, { maxPoints: 400 })
    .map((r) => ({ threshold: r.threshold, recall: r.recall, fpr: r.fpr, precision: r.precision, flagged: r.volume }));
  const rel = reliabilityDiagram(s.scores.testP, y, w);
  const sel = s.calibration;
  const tot = s.latency.frames18.totalBase64;
  const run = readRun(dir);
  const input: ReportInput = reportInputFromRun(run, {
    title: `Vigil run ${run.id}`,
    profile: profileSection(s),
    split: splitSection(s),
    curves: { pr: series.map((c) => c.pr), roc: series.map((c) => c.roc), prevalence: y.reduce((a, b) => a + b, 0) / Math.max(1, y.length) },
    reliability: {
      bins: rel.bins.map((b) => ({ predicted: b.mean_pred, observed: b.observed, count: b.rows, lo: b.ci[0], hi: b.ci[1] })),
      method: sel.chosen,
      comparison: calibrationComparison(s),
    },
    policy: { sweep } as ReportInput['policy'],
    attention: { rows: attentionRows(s), note: 'Gated-attention weight per frame (1 FPS) for the highest-risk harmful test videos; the bright frames are the evidence a VISUAL_HIGH reason code cites.' },
    drift: s.drift,
    labelNoise: labelNoiseSection(s),
    latency: {
      n: tot.n, p50: tot.p50, p99: tot.p99, mean: tot.mean, max: tot.max, budgetMs: LATENCY_BUDGET_MS,
      note: `In-process, one video per request (parse + validation + preprocessing + ONNX + reason codes), ${s.cfg.serving.threads} thread(s): ` +
        `18 frames p50 ${tot.p50.toFixed(2)} ms / p99 ${tot.p99.toFixed(2)} ms; 600 frames p50 ${s.latency.frames600.totalBase64.p50.toFixed(2)} ms / p99 ${s.latency.frames600.totalBase64.p99.toFixed(2)} ms (base64 embeddings; JSON arrays p99 ${s.latency.frames600.totalJson.p99.toFixed(2)} ms). ` +
        `ONNX vs TF.js parity on ${s.parity.rows} test videos: max |Δ| ${s.parity.max.toExponential(2)}.`,
    },
    reasonCodes: { rows: Object.entries(REASON_CODES).map(([code, message]) => ({ code, modality: code.split('_')[0].toLowerCase(), message })) },
  });
  await writeReport(dir, input, { saveInput: true });
}
