/**
 * `vigil bench --scale`: per-stage throughput and peak memory at several dataset sizes, and the cost
 * model that extrapolates them to a weekly volume (180M uploads at StreamShare).
 *
 * Each (size, stage) runs in its own process (bench/scaleStage.ts) so each peak resident set is that
 * stage's own. Stages over the whole store (the SQL audit, the streamed sampled read) scale with
 * uploads; stages that hold the training table in memory (load, split) scale with the rows left
 * after negative downsampling. Hours on N cores assume the work divides evenly over cores (true of
 * the per-partition scans; the split's clustering is a join plus a connected-components job on a
 * cluster, see docs/scale.md).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { SCALE_STAGES, type ScaleStage, type ScaleStageResult } from './scaleStage.js';
import { machineInfo, machineLine, type MachineInfo } from './machine.js';
import { writeJsonAtomic, writeFileAtomic } from '../util/atomic.js';
import { VigilError } from '../util/errors.js';

/** One measured size, the results JSON's `scale.sizes[k]`. */
export interface ScaleSize {
  rows: number;
  /** The largest peak resident set of any stage at this size. */
  peakRssGiB: number;
  seconds: Partial<Record<ScaleStage, number>>;
  peakRssByStage: Partial<Record<ScaleStage, number>>;
  storeBytes: number;
  /** Rows a stage's throughput is counted in when not the stored rows (train: the training rows held). */
  stageRows?: Partial<Record<ScaleStage, number>>;
  /** The split stage's `makeSplit` alone, without the load it needs (the load is its own stage). */
  splitOnlySeconds?: number;
  /** Stages not run at this size, and why (the in-memory load beyond the machine's memory). */
  skipped?: Partial<Record<ScaleStage, string>>;
}

export interface ScaleProjection {
  weeklyUploads: number;
  prevalence: number;
  trainNegativeKeepRate: number;
  cores: number;
  trainingRows: number;
  storeBytes: number;
  /** Per stage: rows it processes per week, measured rows/s on one process, hours on `cores`. */
  stages: { stage: ScaleStage; basis: 'uploads' | 'training rows'; rows: number; rowsPerSecond: number; hours: number; perRowDrift: number; measuredAtRows: number }[];
  /** In-memory peak the current load path would need for the weekly training table. */
  inMemoryTrainingGiB: number;
}

export interface ScaleResult {
  version: 1;
  date: string;
  command: string;
  machine: MachineInfo;
  scale: { sizes: ScaleSize[]; projection: ScaleProjection };
}

export interface ScaleOptions {
  /** Target stored rows per size (the simulator writes about this many). */
  sizes: number[];
  cores: number;
  weeklyUploads: number;
  prevalence: number;
  trainNegativeKeepRate: number;
  outDir: string;
  command: string;
  workDir?: string;
  seed: number;
  /** Per-stage wall limit, seconds. */
  stageTimeoutS?: number;
}

/** The simulator's `tiny` preset keeps about this share of virtual uploads as stored rows (1,987,646 of 7,874,016). */
const STORED_SHARE = 0.2524;
/** The in-memory load (the old path, kept as the reference) is not run where it would need more than this share of memory. */
const LOAD_MEMORY_SHARE = 0.5;

/**
 * Why the in-memory load is not run at `rows`, or null to run it: its peak at the largest size
 * measured so far, scaled by rows (a line through zero overstates nothing: the fixed base is small),
 * against half the machine's memory.
 */
export function loadSkipReason(measured: ScaleSize[], rows: number, totalMemGiB: number): string | null {
  const prev = measured.filter((s) => s.peakRssByStage.load !== undefined).pop();
  if (!prev) return null;
  const need = prev.peakRssByStage.load! * rows / prev.rows;
  return need > LOAD_MEMORY_SHARE * totalMemGiB
    ? `not run: would need about ${need.toFixed(1)} GiB (${prev.peakRssByStage.load!.toFixed(2)} GiB at ${prev.rows.toLocaleString('en-US')} rows), more than half of this machine's ${totalMemGiB.toFixed(1)} GiB`
    : null;
}
/** Stages measured; the simulation only prepares each size's store (its time is reported, not projected). */
const PROJECTED: { stage: ScaleStage; basis: 'uploads' | 'training rows' }[] = [
  { stage: 'sqlAudit', basis: 'uploads' }, { stage: 'streamSample', basis: 'uploads' },
  { stage: 'load', basis: 'training rows' }, { stage: 'split', basis: 'training rows' },
  // The streamed model stages: training (its sampled read included) per training row held; scoring
  // for calibration + evaluation reads every stored row. Export does not depend on rows.
  { stage: 'train', basis: 'training rows' }, { stage: 'evaluate', basis: 'uploads' },
];

/** The stages of the bounded-memory path from store to exported model, for the flat time-per-row check. */
export const MODEL_PATH: ScaleStage[] = ['split', 'train', 'evaluate', 'export'];

/** Seconds per stored row of the whole model path (split → train → evaluate → export) at one size. */
export function modelPathSecondsPerRow(s: ScaleSize): number | null {
  if (MODEL_PATH.some((st) => s.seconds[st] === undefined) || s.rows === 0) return null;
  return MODEL_PATH.reduce((a, st) => a + s.seconds[st]!, 0) / s.rows;
}

function dirBytes(p: string): number {
  const s = statSync(p);
  if (s.isFile()) return s.size;
  return readdirSync(p).reduce((a, f) => a + dirBytes(join(p, f)), 0);
}

function runStage(stage: ScaleStage, dir: string, opts: object, timeoutS: number): ScaleStageResult {
  const script = join(__dirname, 'scaleStage.js');
  const r = spawnSync(process.execPath, [script, stage, dir, JSON.stringify(opts)], { encoding: 'utf8', timeout: timeoutS * 1000, maxBuffer: 16 << 20 });
  if (r.status !== 0) {
    throw new VigilError(`bench --scale: stage '${stage}' on ${dir} failed (${r.signal ?? `exit ${r.status}`}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`, { field: 'scale' });
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ScaleStageResult;
}

export function projectScale(sizes: ScaleSize[], o: Pick<ScaleOptions, 'cores' | 'weeklyUploads' | 'prevalence' | 'trainNegativeKeepRate'>): ScaleProjection {
  if (sizes.length === 0) throw new VigilError('bench --scale: no sizes measured', { field: 'sizes' });
  const largest = sizes[sizes.length - 1], smallest = sizes[0];
  const positives = o.weeklyUploads * o.prevalence;
  const trainingRows = Math.round(positives + o.trainNegativeKeepRate * (o.weeklyUploads - positives));
  // Each stage at the largest size it ran at (the in-memory load is not run at the largest sizes).
  const stages = PROJECTED.filter((p) => sizes.some((s) => s.seconds[p.stage] !== undefined)).map((p) => {
    const ran = sizes.filter((s) => s.seconds[p.stage] !== undefined);
    const big = ran[ran.length - 1], small = ran[0];
    const counted = (s: ScaleSize) => s.stageRows?.[p.stage] ?? s.rows;
    const rps = counted(big) / big.seconds[p.stage]!;
    const rows = p.basis === 'uploads' ? o.weeklyUploads : trainingRows;
    const perRow = (s: ScaleSize) => s.seconds[p.stage]! / counted(s);
    return { ...p, rows, rowsPerSecond: Math.round(rps), hours: rows / rps / o.cores / 3600, perRowDrift: perRow(big) / perRow(small), measuredAtRows: big.rows };
  });
  // The marginal memory per row of the in-memory load (the slope between the sizes where it ran), not the runtime's fixed base.
  const loaded = sizes.filter((s) => s.peakRssByStage.load !== undefined);
  const lo = loaded[0] ?? smallest, hi = loaded[loaded.length - 1] ?? largest;
  const rss = (s: ScaleSize) => s.peakRssByStage.load ?? s.peakRssGiB;
  const gibPerRow = hi.rows > lo.rows ? Math.max(0, (rss(hi) - rss(lo)) / (hi.rows - lo.rows)) : rss(hi) / hi.rows;
  return {
    weeklyUploads: o.weeklyUploads, prevalence: o.prevalence, trainNegativeKeepRate: o.trainNegativeKeepRate, cores: o.cores,
    trainingRows, storeBytes: Math.round(largest.storeBytes / largest.rows * o.weeklyUploads), stages,
    inMemoryTrainingGiB: gibPerRow * trainingRows,
  };
}

export function scaleMarkdown(r: ScaleResult): string {
  const p = r.scale.projection;
  const L: string[] = [`# Scale benchmark ${r.date}`, '', `\`${r.command}\` · ${machineLine(r.machine)}`, '',
    '## Measured (each stage in its own process; seconds, and peak RSS in GiB)', '',
    `| stored rows | store MiB | ${SCALE_STAGES.map((s) => `${s} s`).join(' | ')} | peak RSS (stage) |`,
    `|---:|---:|${SCALE_STAGES.map(() => '---:').join('|')}|---|`];
  for (const s of r.scale.sizes) {
    const worst = Object.entries(s.peakRssByStage).sort((a, b) => b[1] - a[1])[0];
    L.push(`| ${s.rows.toLocaleString('en-US')} | ${(s.storeBytes / 2 ** 20).toFixed(1)} | ${SCALE_STAGES.map((st) => s.seconds[st]?.toFixed(1) ?? '—').join(' | ')} | ${s.peakRssGiB.toFixed(2)} (${worst?.[0] ?? '—'}) |`);
  }
  L.push('', `Peak RSS by stage at the largest size: ${Object.entries(r.scale.sizes[r.scale.sizes.length - 1].peakRssByStage).map(([k, v]) => `${k} ${v.toFixed(2)} GiB`).join(', ')}.`);
  for (const s of r.scale.sizes) for (const [st, why] of Object.entries(s.skipped ?? {})) L.push('', `${st} at ${s.rows.toLocaleString('en-US')} rows: ${why}.`);
  L.push('', `## Projection to ${(p.weeklyUploads / 1e6).toFixed(0)}M uploads/week on ${p.cores} cores`, '',
    `Prevalence ${(p.prevalence * 100).toFixed(2)}% → ${Math.round(p.weeklyUploads * p.prevalence).toLocaleString('en-US')} positives; negatives kept at ${p.trainNegativeKeepRate} for training → ` +
    `${p.trainingRows.toLocaleString('en-US')} training rows. Store: ${(p.storeBytes / 2 ** 30).toFixed(0)} GiB/week of Parquet at these dimensions. ` +
    `Holding the training table in memory (the current load path) would take about ${p.inMemoryTrainingGiB.toFixed(0)} GiB.`, '',
    '| stage | basis | rows/week | measured rows/s (1 process) | at stored rows | hours on N cores | s/row largest ÷ smallest |', '|---|---|---:|---:|---:|---:|---:|');
  for (const s of p.stages) L.push(`| ${s.stage} | ${s.basis} | ${s.rows.toLocaleString('en-US')} | ${s.rowsPerSecond.toLocaleString('en-US')} | ${s.measuredAtRows.toLocaleString('en-US')} | ${s.hours.toFixed(2)} | ${s.perRowDrift.toFixed(2)} |`);
  const so = r.scale.sizes.filter((s) => s.splitOnlySeconds !== undefined);
  if (so.length > 1) {
    const base = so[0].splitOnlySeconds! / so[0].rows;
    L.push('', `Split without its load (makeSplit alone), seconds per stored row: ${so.map((s) => `${s.rows.toLocaleString('en-US')} rows ${(s.splitOnlySeconds! / s.rows * 1000).toFixed(3)} ms (${(s.splitOnlySeconds! / s.rows / base).toFixed(2)}×)`).join(', ')}.`);
  }
  const flat = r.scale.sizes.map((s) => ({ rows: s.rows, spr: modelPathSecondsPerRow(s) })).filter((x) => x.spr !== null);
  if (flat.length > 1) {
    const base = flat[0].spr!;
    L.push('', `Model path (${MODEL_PATH.join(' → ')}) seconds per stored row: ${flat.map((x) => `${x.rows.toLocaleString('en-US')} rows ${(x.spr! * 1000).toFixed(3)} ms (${(x.spr! / base).toFixed(2)}×)`).join(', ')}.`);
  }
  L.push('', 'Hours assume the work divides evenly over cores (per-partition scans do; see docs/scale.md for what runs where).');
  return L.join('\n') + '\n';
}

export async function runScaleBench(o: ScaleOptions): Promise<{ result: ScaleResult; jsonPath: string; mdPath: string; markdown: string }> {
  if (o.sizes.length === 0 || o.sizes.some((n) => !(Number.isInteger(n) && n >= 1000))) {
    throw new VigilError(`--sizes: expected integers >= 1000, got ${o.sizes.join(',')}`, { field: 'sizes' });
  }
  const work = o.workDir ?? mkdtempSync(join(tmpdir(), 'vigil-scale-'));
  const timeout = o.stageTimeoutS ?? 3600;
  const sizes: ScaleSize[] = [];
  try {
    for (const target of [...o.sizes].sort((a, b) => a - b)) {
      const dir = join(work, `rows-${target}`);
      const size: ScaleSize = { rows: 0, peakRssGiB: 0, seconds: {}, peakRssByStage: {}, storeBytes: 0 };
      for (const stage of SCALE_STAGES) {
        const skip = stage === 'load' ? loadSkipReason(sizes, size.rows, totalmem() / 2 ** 30) : null;
        if (skip) { size.skipped = { ...size.skipped, load: skip }; process.stderr.write(`scale ${target}: load ${skip}\n`); continue; }
        const r = runStage(stage, dir, { uploads: Math.round(target / STORED_SHARE), seed: o.seed, threads: 1 }, timeout);
        process.stderr.write(`scale ${target}: ${stage} ${r.rows} rows ${r.seconds.toFixed(1)}s peak ${r.peakRssGiB.toFixed(2)} GiB\n`);
        if (stage === 'simulate') { size.rows = r.rows; size.storeBytes = dirBytes(join(dir, 'videos.parquet')); }
        size.seconds[stage] = Math.round(r.seconds * 100) / 100;
        size.peakRssByStage[stage] = r.peakRssGiB;
        if (stage === 'split' && r.detail?.splitOnlyS !== undefined) size.splitOnlySeconds = Math.round(r.detail.splitOnlyS * 100) / 100;
        if (stage === 'train' && r.detail?.heldRows !== undefined) size.stageRows = { ...size.stageRows, train: r.detail.heldRows };
        if (stage !== 'simulate') size.peakRssGiB = Math.max(size.peakRssGiB, r.peakRssGiB);
      }
      sizes.push(size);
      if (!o.workDir) rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    if (!o.workDir) rmSync(work, { recursive: true, force: true });
  }
  const date = new Date().toISOString().slice(0, 10);
  const result: ScaleResult = { version: 1, date, command: o.command, machine: machineInfo(), scale: { sizes, projection: projectScale(sizes, o) } };
  const jsonPath = join(o.outDir, `${date}-scale.json`), mdPath = join(o.outDir, `${date}-scale.md`);
  const markdown = scaleMarkdown(result);
  writeJsonAtomic(jsonPath, result);
  writeFileAtomic(mdPath, markdown);
  return { result, jsonPath, mdPath, markdown };
}
