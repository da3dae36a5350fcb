import type { MetricValue } from '../eval/evaluate.js';
import { formatExtractBench } from '../extract/bench.js';
import { machineLine, type MachineInfo } from './machine.js';
import { fmtCount, fmtMetric, fmtRatio, fmtSeconds, fmtSigned, markdownTable } from './markdown.js';
import type { QualityResult, QualityRow } from './quality.js';
import type { Maybe, SpeedResult, TailSpeed } from './speed.js';
import type { LoadResult } from '../serve/loadGen.js';
import type { PairedDelta, SimVariantsResult } from './simVariants.js';
import { realCorpusMarkdown, type RealCorpusResult } from './realCorpusReport.js';
import { LATENCY_BUDGET_MS } from '../serve/latency.js';

/** What `vigil bench` writes to bench/results/<date>.json (and renders as <date>.md). */
export interface BenchResult {
  version: 1;
  date: string;
  command: string;
  preset: string;
  seed: number;
  machine: MachineInfo;
  durationS: number;
  quality?: Omit<QualityResult, 'artifacts'>;
  /** The `real` section: a real public corpus, Vigil's defaults beside text peers. */
  real?: RealCorpusResult;
  /** The `variants` section: the quality table on hard-case worlds of the simulator. */
  variants?: SimVariantsResult;
  speed?: SpeedResult;
}

const METRICS: { key: keyof Pick<QualityRow, 'ap' | 'recallAt2Fpr' | 'precisionTop1' | 'coldStartRecallAt2Fpr'>; label: string }[] = [
  { key: 'ap', label: 'AP' }, { key: 'recallAt2Fpr', label: 'recall@2%FPR' },
  { key: 'precisionTop1', label: 'precision in top 1%' }, { key: 'coldStartRecallAt2Fpr', label: 'cold-start recall@2%FPR' },
];

export function qualityTable(rows: QualityRow[]): string {
  return markdownTable(
    ['model', ...METRICS.map((m) => m.label), 'train time', 'note'],
    rows.map((r) => r.status === 'ok'
      ? [r.model, ...METRICS.map((m) => fmtMetric(r[m.key])), r.kind === 'oracle' || r.kind === 'reference' ? 'n/a' : fmtSeconds(r.trainSeconds), r.note ?? '']
      : [r.model, ...METRICS.map(() => '—'), '—', `${r.status}: ${r.reason ?? ''}`]),
  );
}

const overlap = (a: MetricValue, b: MetricValue) => !a.ci || !b.ci || (a.ci[0] <= b.ci[1] && b.ci[0] <= a.ci[1]);

/**
 * Plain statements of where the fusion model is beaten: every non-oracle model whose point estimate
 * is above the fusion model's, per metric, saying whether the 95% intervals separate them.
 */
export function whereVigilLoses(rows: QualityRow[], vigilName?: string): string[] {
  const vigil = rows.find((r) => (vigilName ? r.model === vigilName : r.kind === 'vigil') && r.status === 'ok');
  if (!vigil) return ['The fusion model did not run, so there is nothing to compare.'];
  const out: string[] = [];
  for (const m of METRICS) {
    const v = vigil[m.key];
    if (!v || v.value === null) continue;
    const better = rows.filter((r) => r !== vigil && r.kind !== 'oracle' && r.kind !== 'reference' && r.status === 'ok' && (r[m.key]?.value ?? -Infinity) > (v.value as number))
      .sort((a, b) => (b[m.key]?.value as number) - (a[m.key]?.value as number));
    if (better.length === 0) continue;
    const [best, ...rest] = better;
    const o = best[m.key] as MetricValue;
    out.push(`${m.label}: ${best.model} ${fmtMetric(o)} beats Vigil's ${fmtMetric(v)} — ${overlap(o, v) ? 'the 95% intervals overlap, so this is not a clear loss' : 'the intervals do not overlap: a clear loss'}.` +
      (rest.length > 0 ? ` Also ahead on the point estimate: ${rest.map((r) => r.model).join(', ')}.` : ''));
  }
  const oracle = rows.find((r) => r.kind === 'oracle' && r.status === 'ok');
  if (oracle?.ap?.value != null && vigil.ap?.value != null) {
    out.push(`Gap to the oracle: AP ${vigil.ap.value.toFixed(3)} vs ${oracle.ap.value.toFixed(3)} (${((vigil.ap.value / oracle.ap.value) * 100).toFixed(0)}% of the ceiling).`);
  }
  // The learner alone: Vigil with mean pooling reads what the peers read (mean-pooled sequences).
  const same = rows.find((r) => r.variant === 'fusion:mean' && r.status === 'ok');
  const bestPeer = rows.filter((r) => r.kind === 'peer' && r.status === 'ok' && r.ap?.value != null).sort((a, b) => (b.ap!.value as number) - (a.ap!.value as number))[0];
  if (same?.ap?.value != null && bestPeer) {
    const a = same.ap, b = bestPeer.ap as MetricValue;
    const verdict = overlap(a, b) ? 'the 95% intervals overlap: on the same information the learners are not separated'
      : (a.value as number) > (b.value as number) ? 'the intervals separate in Vigil\'s favour' : 'the intervals separate: a clear loss for Vigil';
    out.push(`Same information as the peers: ${same.model} AP ${fmtMetric(a)} vs ${bestPeer.model} ${fmtMetric(b)} — ${verdict}.`);
  }
  const fastest = rows.filter((r) => r.status === 'ok' && r.kind !== 'oracle' && r.trainSeconds !== null && r !== vigil && r.kind === 'peer')
    .sort((a, b) => (a.trainSeconds as number) - (b.trainSeconds as number))[0];
  if (fastest && vigil.trainSeconds !== null && fastest.trainSeconds! < vigil.trainSeconds) {
    out.push(`Training time: ${fastest.model} fits in ${fmtSeconds(fastest.trainSeconds)} vs ${fmtSeconds(vigil.trainSeconds)} for Vigil (${fmtRatio(vigil.trainSeconds, fastest.trainSeconds)} slower).`);
  }
  if (out.length === 0) out.push('No non-oracle model beats the fusion model on any metric in this run.');
  return out;
}

const METRIC_LABEL: Record<PairedDelta['metric'], string> = { ap: 'AP', recallAt2Fpr: 'recall@2%FPR' };

/** One sentence for a paired difference b − a: the estimate, its interval and what it says. */
export function pairedSentence(d: PairedDelta, nameOf: (k: string) => string): string {
  const what = `${nameOf(d.b)} − ${nameOf(d.a)}, ${METRIC_LABEL[d.metric]}`;
  if (d.delta === null) return `${what}: not available (a model did not run).`;
  if (!d.ci) return `${what}: ${fmtSigned(d.delta)} (no paired interval).`;
  const verdict = d.ci[0] > 0 ? `${nameOf(d.b)} is ahead` : d.ci[1] < 0 ? `${nameOf(d.a)} is ahead` : 'not separated';
  return `${what}: ${fmtSigned(d.delta)} [${fmtSigned(d.ci[0])}, ${fmtSigned(d.ci[1])}] paired 95% — ${verdict}.`;
}

export function variantsMarkdown(v: SimVariantsResult): string[] {
  const lines: string[] = ['## Hard-case worlds of the simulator (`variants`)', '',
    `Preset \`${v.preset}\`, one dataset per variant (same seed, so the same platform and labels up to the changed knobs); ` +
    'fusion and the four towers trained as in the quality table (no peers); differences come with paired 95% intervals ' +
    '(bootstrap resample k draws the same creators for every model).', ''];
  for (const r of v.results) {
    const q = r.quality;
    const nameOf = (k: string) => q.rowsTable.find((x) => (x.variant ?? x.model) === k)?.model ?? k;
    lines.push(`### \`${r.variant}\` — ${Object.entries(r.knobs).map(([k, x]) => `${k}=${String(x)}`).join(', ')}`, '',
      `${fmtCount(q.rows.total)} stored rows; test ${fmtCount(q.rows.test)} (${q.rows.testPositives} positives); ${q.bootstrap.resamples} resamples over ${fmtCount(q.bootstrap.groups)} creators.`, '',
      qualityTable(q.rowsTable), '');
    if (r.bestTower) lines.push(...r.fusionVsBestTower.map((d) => `- Fusion vs the best single tower: ${pairedSentence(d, nameOf)}`));
    lines.push(...r.visualVsDetector.map((d) => `- Visual tower vs the frame detector: ${pairedSentence(d, nameOf)}`));
    lines.push('', `${on(q.machine.start).slice(0, -1)} at the start, ${q.machine.end.loadAverage1m.toFixed(1)} at the end_`, '');
  }
  return lines;
}

function on(m: MachineInfo): string {
  return `_measured on ${machineLine(m)}_`;
}

function section<T>(title: string, r: Maybe<T> | undefined, body: (v: T) => string[]): string[] {
  if (!r) return [];
  if (!r.ok) return [`### ${title}`, '', `Skipped: ${r.reason}`, ''];
  return [`### ${title}`, '', ...body(r.value), '', on(r.machine), ''];
}

const pp = (s: { p50: number; p99: number }) => `${s.p50} / ${s.p99}`;

const count = (r: LoadResult, k: string) => fmtCount(r.statuses[k] ?? 0);
const ms = (v: number) => (Number.isFinite(v) ? (v < 10 ? v.toFixed(2) : fmtCount(v)) : '—');

/** The tail table: each load, what was answered how, and the latency of the 200s. */
export function tailMarkdown(t: TailSpeed): string[] {
  const other = (r: LoadResult) => fmtCount(r.sent - (r.statuses['200'] ?? 0) - (r.statuses['503'] ?? 0) - (r.statuses.error ?? 0));
  const row = (label: string, offered: string, r: LoadResult) => [label, offered, fmtCount(r.sent), `${r.durationS} s`, count(r, '200'), count(r, '503'), count(r, 'error'), other(r),
    `${ms(r.latencyMs.p50)} / ${ms(r.latencyMs.p99)} / ${ms(r.latencyMs.max)}`, fmtCount(r.clientCpuUsPerRequest)];
  const o = t.overload, a = t.atRate;
  const answered = (o.statuses['200'] ?? 0) + (o.statuses['503'] ?? 0);
  return [
    markdownTable(['load', 'offered req/s', 'sent', 'time', '200', '503', 'connection errors (reset, refused)', 'other', '200s: p50 / p99 / max ms', 'load generator CPU µs/request'], [
      row(`steady, ${t.rate} req/s`, fmtCount(t.rate), a),
      row('closed loop, 4 in flight (sustainable)', `${fmtCount(t.sustainable.throughputPerS)} answered/s`, t.sustainable),
      row(`overload, ${t.overloadFactor}× sustainable`, fmtCount(t.overloadRate), o),
    ], ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']),
    '',
    `${t.model}; ${fmtCount(t.bodyBytes / 1024)} KB bodies; admission limit ${t.maxInFlight} scoring requests in flight (beyond it: 503 + Retry-After); request logs off. ` +
    `Targets: p99 ≤ 10 ms at ${t.rate} req/s — ${a.latencyMs.p99 <= 10 ? 'met' : 'not met'} (${ms(a.latencyMs.p99)} ms); ` +
    `at ${t.overloadFactor}× every request answered 200 or 503 — ${answered === o.sent ? 'met' : `not met (${fmtCount(o.sent - answered)} not)`}, ` +
    `p99 of the 200s ≤ 50 ms — ${o.latencyMs.p99 <= 50 ? 'met' : 'not met'} (${ms(o.latencyMs.p99)} ms). ` +
    'The load generator shares the machine with the server: at high offered rates it may send less than offered (see `sent` / time).',
  ];
}

export function speedMarkdown(s: SpeedResult): string[] {
  const lines: string[] = ['## Speed', ''];
  lines.push(...section('Training throughput by TF.js backend (one epoch, same rows)', s.trainingBackends, (v) => {
    const w = v.find((b) => b.backend === 'wasm'), c = v.find((b) => b.backend === 'cpu');
    return [markdownTable(['backend', 'train rows (before negative downsampling)', 'wall time incl. calib scoring', 'trained rows/s'], v.map((b) => [b.backend, fmtCount(b.rows), fmtSeconds(b.seconds), fmtCount(b.rowsPerSec)]), ['l', 'r', 'r', 'r']),
      '', w && c ? `wasm is ${fmtRatio(w.rowsPerSec, c.rowsPerSec)} the throughput of cpu in the same run.` : ''];
  }));
  lines.push(...section('Dataset generation (simulator, in memory)', s.generation, (v) => {
    const rows = v.map((g) => [fmtCount(g.nVirtual), fmtCount(g.rows), fmtSeconds(g.seconds), fmtCount(g.rowsPerSec)]);
    const out = [markdownTable(['virtual uploads', 'stored rows', 'time', 'stored rows/s'], rows, ['r', 'r', 'r', 'r'])];
    if (v.length >= 2) {
      const a = v[0], b = v[v.length - 1];
      out.push('', `${fmtRatio(b.nVirtual, a.nVirtual)} the uploads took ${fmtRatio(b.seconds, a.seconds)} the time.`);
    }
    if (s.presetGeneration) {
      const g = s.presetGeneration;
      out.push('', `Preset \`${g.preset}\` (${fmtCount(g.rows)} stored rows): generated in ${fmtSeconds(g.generationS)}, Parquet written in ${fmtSeconds(g.writeS)}.`);
    }
    return out;
  }));
  lines.push(...section('Near-duplicate fingerprinting and clustering (split)', s.nearDupScaling, (v) => {
    const out = [markdownTable(['videos', 'fingerprint ms', 'cluster ms', 'ms per 1k videos', 'CPU ms', 'candidate pairs'],
      v.map((p) => [fmtCount(p.n), fmtCount(p.fingerprintMs), fmtCount(p.clusterMs), p.msPer1k.toFixed(1), fmtCount(p.cpuMs), fmtCount(p.candidates)]), ['r', 'r', 'r', 'r', 'r', 'r'])];
    if (v.length >= 2) {
      const a = v[0], b = v[v.length - 1];
      out.push('', `${fmtRatio(b.n, a.n)} the videos took ${fmtRatio(b.fingerprintMs + b.clusterMs, a.fingerprintMs + a.clusterMs)} the wall time (${fmtRatio(b.cpuMs, a.cpuMs)} the CPU time).`);
    }
    if (s.splitTotalS !== undefined) out.push('', `The whole leakage-safe split (fingerprints, clusters, temporal windows, folds, audits) of the quality dataset: ${fmtSeconds(s.splitTotalS)}.`);
    return out;
  }));
  lines.push(...section('Serving latency in process (ms; 1 onnxruntime thread)', s.servingLatency, (v) => {
    const rows: string[][] = [];
    for (const m of v) for (const l of m.latency) {
      rows.push([m.model, `${l.frames} × ${l.frameDim}, ${l.segments} × ${l.audioDim}`, `${Math.round(l.bodyBytes.json / 1024)} / ${Math.round(l.bodyBytes.base64 / 1024)}`,
        pp(l.parseJson), pp(l.parseBase64), pp(l.score), pp(l.totalBase64), l.budgetRatioP99.toFixed(2)]);
    }
    return [markdownTable(['model', 'frames × dim, audio × dim', 'body KB json / base64', 'parse JSON p50 / p99', 'parse base64 p50 / p99', 'score p50 / p99', 'base64 total p50 / p99', `p99 / ${LATENCY_BUDGET_MS} ms`], rows)];
  }));
  lines.push(...section('Serving over HTTP (one server process; load from a separate process; 18 frames)', s.http, (v) => [
    markdownTable(['model', 'body', 'KB', 'max req/s (4 in flight)', 'at 100 req/s: p50 / p99 ms', 'errors', 'cores for 12M uploads/day (3× peak)'],
      v.map((h) => [h.model, h.encoding, fmtCount(h.bodyBytes / 1024), fmtCount(h.max.throughputPerS), pp(h.atRate.latencyMs), String(h.max.errors + h.atRate.errors), String(h.coresFor12M)])),
    '', '12M uploads/day is 139/s on average, ~417/s at a 3× peak.',
  ]));
  lines.push(...section('Tail latency and overload over HTTP (one server process, 1 onnxruntime thread; load from a separate process on loopback; 18 frames, JSON)', s.tail, tailMarkdown));
  lines.push(...section('Feature extraction from real media', s.extraction, (v) => ['```', formatExtractBench(v), '```']));
  lines.push(...section('End to end (`npm start` equivalent)', s.endToEnd, (v) => [`${fmtSeconds(v.seconds)} on preset \`${v.preset}\`.`]));
  return lines;
}

export function benchMarkdown(r: BenchResult): string {
  const lines: string[] = [`# Vigil benchmark — ${r.date}`, '', `Command: \`${r.command}\` · preset \`${r.preset}\` · seed ${r.seed} · total ${fmtSeconds(r.durationS)}`, '',
    `Machine: ${machineLine(r.machine)} (${r.machine.os})`, ''];
  const q = r.quality;
  if (q) {
    lines.push('## Quality on the recent-time test window', '',
      `${fmtCount(q.rows.total)} stored rows; train ${fmtCount(q.rows.train)}, calibration ${fmtCount(q.rows.calib)}, test ${fmtCount(q.rows.test)} ` +
      `(${q.rows.testPositives} positives; cold start ${fmtCount(q.rows.coldStartTest)} rows, ${q.rows.coldStartPositives} positives). ` +
      `Metrics are weighted by the sampling weights; 95% intervals from ${q.bootstrap.resamples} bootstrap resamples over ${fmtCount(q.bootstrap.groups)} creators. ` +
      'Every model is trained on the same split with the same fitted preprocessing; the peers get the pooled features (meta, mean/max frames, mean audio, text).', '',
      qualityTable(q.rowsTable), '',
      `Shared steps: split ${fmtSeconds(q.timings.splitS)}, preprocessing fit ${fmtSeconds(q.timings.preprocessS)}, label-noise pass ${fmtSeconds(q.timings.noiseS)} (included in the fusion and tower times), feature export for the peers ${fmtSeconds(q.timings.exportS)}. ` +
      'Vigil times include scoring the test window (baselines also the calibration window); peer times are the fit alone.', '',
      `${on(q.machine.start).slice(0, -1)} at the start, ${q.machine.end.loadAverage1m.toFixed(1)} at the end_`, '', '### Where Vigil loses', '', ...whereVigilLoses(q.rowsTable).map((s) => `- ${s}`), '');
  }
  if (r.real) lines.push(...realCorpusMarkdown(r.real));
  if (r.variants) lines.push(...variantsMarkdown(r.variants));
  if (r.speed) lines.push(...speedMarkdown(r.speed));
  return lines.join('\n') + '\n';
}
