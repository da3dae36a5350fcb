import { createRng } from '../util/rng.js';
import { recallAtFpr, precisionAtTop } from '../stats/quickMetrics.js';
import { VigilError } from '../util/errors.js';
import { MS_PER_DAY, MS_PER_WEEK, type VideoTable, type TruthTable } from '../data/table.js';
import type { Simulation } from './generate.js';
import { DRIFT_CATEGORY, CH_VISUAL, CH_AUDIO, CH_TEXT } from './world.js';
import { probeFeatures, concatFeatures, fitLogistic, scoreLogistic, sequenceMilFeatures, type ProbeModality, type FeatureMatrix } from './probe.js';

/**
 * The simulator's difficulty contract, measured on the recent-time test weeks: the oracle must meet
 * both seed criteria with margin, metadata alone must be weak, and no single content modality
 * should meet both criteria. Per-modality numbers come from quick linear probes (see probe.ts).
 */

export interface OperatingPoint { recallAt2Fpr: number; precisionTop1: number }

export interface DifficultyReport {
  testWeeks: number;
  trainRows: number;
  testRows: number;
  /** Σ weight of observed positives in the test window. */
  testPositives: number;
  oracle: OperatingPoint;
  probes: Record<ProbeModality | 'fused', OperatingPoint>;
  contract: { oracleMeetsCriteria: boolean; metadataWeak: boolean; noSingleContentModalityMeetsBoth: boolean };
}

function point(scores: ArrayLike<number>, y: ArrayLike<number>, w: ArrayLike<number>): OperatingPoint {
  if (!Array.prototype.some.call(y, (v: number) => v === 1)) throw new VigilError('difficulty check: no positives in the test weeks', { field: 'harmful' });
  return { recallAt2Fpr: recallAtFpr(scores, y, 0.02, w), precisionTop1: precisionAtTop(scores, y, 0.01, w) };
}

const meets = (p: OperatingPoint, recall = 0.9, precision = 0.25): boolean => p.recallAt2Fpr >= recall && p.precisionTop1 >= precision;

export function difficultyCheck(table: VideoTable, truth: TruthTable, opts: { testWeeks?: number; seed?: number } = {}): DifficultyReport {
  const testWeeks = opts.testWeeks ?? 3;
  if (truth.n !== table.n) throw new VigilError(`truth: ${truth.n} rows but the table has ${table.n}`, { field: 'truth' });
  let maxTs = -Infinity, minTs = Infinity;
  for (let i = 0; i < table.n; i++) { maxTs = Math.max(maxTs, table.uploadTs[i]); minTs = Math.min(minTs, table.uploadTs[i]); }
  const start = Math.floor(minTs / MS_PER_DAY) * MS_PER_DAY;
  const weeks = Math.floor((maxTs - start) / MS_PER_WEEK) + 1;
  const cut = start + (weeks - testWeeks) * MS_PER_WEEK;
  const train: number[] = [], test: number[] = [];
  for (let i = 0; i < table.n; i++) (table.uploadTs[i] >= cut ? test : train).push(i);
  const trainRows = Int32Array.from(train), testRows = Int32Array.from(test);
  const yT = Int8Array.from(test, (i) => table.harmful[i]);
  const wT = Float32Array.from(test, (i) => table.weight[i]);
  let testPositives = 0;
  for (let k = 0; k < test.length; k++) if (yT[k] === 1) testPositives += wT[k];
  const oracle = point(Float64Array.from(test, (i) => truth.oracleP[i]), yT, wT);
  const rng = createRng(opts.seed ?? 1);
  const feats = {} as Record<ProbeModality, FeatureMatrix>;
  const probes = {} as Record<ProbeModality | 'fused', OperatingPoint>;
  const fitScore = (f: FeatureMatrix, label: string): Float64Array =>
    scoreLogistic(fitLogistic(f, table.harmful, table.weight, trainRows, rng.fork(label)), f, testRows);
  feats.meta = probeFeatures(table, 'meta');
  feats.text = probeFeatures(table, 'text');
  feats.visual = sequenceMilFeatures(table, 'visual', trainRows, rng.fork('mil-visual'));
  feats.audio = sequenceMilFeatures(table, 'audio', trainRows, rng.fork('mil-audio'));
  for (const m of ['meta', 'visual', 'audio', 'text'] as ProbeModality[]) probes[m] = point(fitScore(feats[m], m), yT, wT);
  // fusion stacks the text probe's score (cross-fitted on train, so train scores are out-of-fold)
  // with the other modalities' pooled features: thousands of sparse text columns would swamp them
  const textScore = new Float32Array(table.n);
  const halves = [train.filter((_, k) => k % 2 === 0), train.filter((_, k) => k % 2 === 1)].map((h) => Int32Array.from(h));
  for (let h = 0; h < 2; h++) {
    const m = fitLogistic(feats.text, table.harmful, table.weight, halves[h], rng.fork(`text-cf${h}`));
    const other = halves[1 - h];
    scoreLogistic(m, feats.text, other).forEach((v, k) => { textScore[other[k]] = v; });
  }
  const mAll = fitLogistic(feats.text, table.harmful, table.weight, trainRows, rng.fork('text'));
  scoreLogistic(mAll, feats.text, testRows).forEach((v, k) => { textScore[testRows[k]] = v; });
  const fused = concatFeatures([feats.meta, feats.visual, feats.audio, { n: table.n, d: 1, x: textScore }]);
  probes.fused = point(fitScore(fused, 'fused'), yT, wT);
  return {
    testWeeks, trainRows: train.length, testRows: test.length, testPositives, oracle, probes,
    contract: {
      oracleMeetsCriteria: meets(oracle, 0.95, 0.28),
      metadataWeak: probes.meta.recallAt2Fpr <= 0.6,
      noSingleContentModalityMeetsBoth: !(['visual', 'audio', 'text'] as const).some((m) => meets(probes[m])),
    },
  };
}

export function formatDifficulty(r: DifficultyReport): string {
  const f = (p: OperatingPoint): string => `recall@2%FPR ${p.recallAt2Fpr.toFixed(3)}  precision@top1% ${p.precisionTop1.toFixed(3)}`;
  return [
    `test = last ${r.testWeeks} weeks: ${r.testRows} rows, ${r.testPositives.toFixed(0)} positives (train ${r.trainRows} rows)`,
    `oracle   ${f(r.oracle)}`,
    ...(['meta', 'visual', 'audio', 'text', 'fused'] as const).map((m) => `${m.padEnd(8)} ${f(r.probes[m])}`),
    `contract: ${Object.entries(r.contract).map(([k, v]) => `${k}=${v}`).join('  ')}`,
  ].join('\n');
}

/**
 * Where the signal of the test-window positives lives (from the generator's own content records):
 * the structural ceiling of any single-modality model. Shares are of weighted observed positives.
 */
export interface ChannelCoverage { positives: number; visual: number; audio: number; text: number; labelNoise: number; driftCategory: number }

export function channelCoverage(sim: Simulation, testWeeks = 3): ChannelCoverage {
  const t = sim.table, s = sim.stream, cs = s.contents;
  const cut = sim.endMs - testWeeks * MS_PER_WEEK;
  const out: ChannelCoverage = { positives: 0, visual: 0, audio: 0, text: 0, labelNoise: 0, driftCategory: 0 };
  for (let r = 0; r < t.n; r++) {
    if (t.uploadTs[r] < cut || t.harmful[r] !== 1) continue;
    const cid = s.content[sim.rowUpload[r]];
    out.positives++;
    if (cs.cat[cid] < 0) { out.labelNoise++; continue; }
    if (cs.cat[cid] === DRIFT_CATEGORY) out.driftCategory++;
    const ch = cs.channels[cid];
    if (ch & CH_VISUAL) out.visual++;
    if (ch & CH_AUDIO) out.audio++;
    if (ch & CH_TEXT) out.text++;
  }
  const p = Math.max(1, out.positives);
  return { positives: out.positives, visual: out.visual / p, audio: out.audio / p, text: out.text / p, labelNoise: out.labelNoise / p, driftCategory: out.driftCategory / p };
}

export function formatCoverage(c: ChannelCoverage): string {
  const pct = (x: number): string => (100 * x).toFixed(0) + '%';
  return `test positives ${c.positives}: harm visible in frames ${pct(c.visual)}, audio ${pct(c.audio)}, speech ${pct(c.text)}; contested look-alikes (label noise) ${pct(c.labelNoise)}; drift category ${pct(c.driftCategory)}`;
}
