import { MS_PER_DAY, MS_PER_WEEK, type VideoTable, type TruthTable } from './table.js';

/**
 * profile.json: measured statistics of a dataset folder, every rate weighted by the `weight` column
 * (so a negatively-downsampled store reports the rates of the stream it represents). Works on real
 * data; keys that need ground truth (re-uploads) or a rater study (kappa) are null without them.
 */
export interface DatasetProfile {
  n_rows: number;
  /** Σ weight: the number of uploads the stored rows represent. */
  n_virtual: number;
  weeks: number;
  /** ISO date of the first upload's day; '' when the dataset has no upload times. */
  start: string;
  prevalence: number;
  positives: number;
  region_prevalence: Record<string, number>;
  region_share: Record<string, number>;
  week_prevalence: number[];
  missing_metadata_rate: number;
  /** Missing-metadata rate among accounts younger than 30 days (null when unknown). */
  missing_metadata_rate_new_accounts: number | null;
  no_audio_rate: number;
  asr_rate: number;
  non_english_asr_rate: number;
  asr_confidence_english: number | null;
  asr_confidence_non_english: number | null;
  mean_frames: number;
  max_frames: number;
  p99_frames: number;
  frame_dim: number;
  audio_dim: number;
  rater_kappa: number | null;
  reupload_rate: number | null;
  harmful_reupload_rate: number | null;
}

export interface ProfileExtras {
  truth?: TruthTable;
  raterKappa?: number;
  /** Per row: 1 when the account was younger than 30 days at upload (known to a simulator). */
  newAccount?: Uint8Array;
}

const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);

export function measureProfile(t: VideoTable, extras: ProfileExtras = {}): DatasetProfile {
  const n = t.n;
  let W = 0, pos = 0, miss = 0, noAudio = 0, asr = 0, nonEn = 0, frames = 0, maxFrames = 0;
  let confEn = 0, wEn = 0, confX = 0, wX = 0;
  let minTs = Infinity, maxTs = -Infinity;
  for (let i = 0; i < n; i++) { if (t.uploadTs[i] < minTs) minTs = t.uploadTs[i]; if (t.uploadTs[i] > maxTs) maxTs = t.uploadTs[i]; }
  // A dataset without upload times has no weeks (rows without a time are left out of the weekly series).
  const timed = Number.isFinite(minTs);
  const start = timed ? Math.floor(minTs / MS_PER_DAY) * MS_PER_DAY : 0;
  const weeks = timed ? Math.floor((maxTs - start) / MS_PER_WEEK) + 1 : 0;
  const wkW = new Float64Array(weeks), wkP = new Float64Array(weeks);
  const regW = new Map<string, number>(), regP = new Map<string, number>();
  const counts = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const w = t.weight[i], y = t.harmful[i] === 1 ? 1 : 0;
    W += w; pos += w * y;
    const wk = Math.floor((t.uploadTs[i] - start) / MS_PER_WEEK);
    if (wk >= 0 && wk < weeks) { wkW[wk] += w; wkP[wk] += w * y; }
    regW.set(t.country[i], (regW.get(t.country[i]) ?? 0) + w);
    regP.set(t.country[i], (regP.get(t.country[i]) ?? 0) + w * y);
    if (Number.isNaN(t.accountAgeDays[i]) || Number.isNaN(t.priorStrikes[i])) miss += w;
    if (!t.hasAudio[i]) noAudio += w;
    if (t.transcript[i] !== null) {
      asr += w;
      const en = t.language[i] === 'en';
      if (!en) nonEn += w;
      const c = t.asrConfidence[i];
      if (!Number.isNaN(c)) { if (en) { confEn += w * c; wEn += w; } else { confX += w * c; wX += w; } }
    }
    const f = t.frameOffsets[i + 1] - t.frameOffsets[i];
    counts[i] = f;
    frames += w * f;
    if (f > maxFrames) maxFrames = f;
  }
  const region_prevalence: Record<string, number> = {}, region_share: Record<string, number> = {};
  for (const k of [...regW.keys()].sort()) { region_prevalence[k] = ratio(regP.get(k)!, regW.get(k)!); region_share[k] = ratio(regW.get(k)!, W); }

  let missNew: number | null = null;
  if (extras.newAccount) {
    let a = 0, b = 0;
    for (let i = 0; i < n; i++) if (extras.newAccount[i]) { b += t.weight[i]; if (Number.isNaN(t.accountAgeDays[i])) a += t.weight[i]; }
    missNew = ratio(a, b);
  }
  let reup: number | null = null, harmReup: number | null = null;
  if (extras.truth) {
    let r = 0, hr = 0;
    for (let i = 0; i < n; i++) if (extras.truth.reuploadOf[i] !== null) { r += t.weight[i]; if (t.harmful[i] === 1) hr += t.weight[i]; }
    reup = ratio(r, W); harmReup = ratio(hr, pos);
  }
  return {
    n_rows: n, n_virtual: Math.round(W), weeks, start: timed ? new Date(start).toISOString() : '',
    prevalence: ratio(pos, W), positives: Math.round(pos), region_prevalence, region_share,
    week_prevalence: Array.from(wkW, (w, k) => ratio(wkP[k], w)),
    missing_metadata_rate: ratio(miss, W), missing_metadata_rate_new_accounts: missNew,
    no_audio_rate: ratio(noAudio, W), asr_rate: ratio(asr, W), non_english_asr_rate: ratio(nonEn, asr),
    asr_confidence_english: wEn > 0 ? confEn / wEn : null, asr_confidence_non_english: wX > 0 ? confX / wX : null,
    mean_frames: ratio(frames, W), max_frames: maxFrames, p99_frames: weightedQuantile(counts, t.weight, 0.99),
    frame_dim: t.frameDim, audio_dim: t.audioDim,
    rater_kappa: extras.raterKappa ?? null, reupload_rate: reup, harmful_reupload_rate: harmReup,
  };
}

function weightedQuantile(v: Int32Array, w: Float32Array, q: number): number {
  if (v.length === 0) return 0;
  const idx = Array.from(v.keys()).sort((a, b) => v[a] - v[b]);
  let tot = 0;
  for (let i = 0; i < w.length; i++) tot += w[i];
  let acc = 0;
  for (const i of idx) { acc += w[i]; if (acc >= q * tot) return v[i]; }
  return v[idx[idx.length - 1]];
}

/** A compact human-readable rendering of a profile (what `vigil simulate` prints). */
export function formatProfile(p: DatasetProfile): string {
  const pct = (x: number | null, d = 2): string => (x === null ? 'n/a' : (100 * x).toFixed(d) + '%');
  const regions = Object.entries(p.region_prevalence).map(([k, v]) => `${k} ${pct(v)}`).join(', ');
  return [
    `rows ${p.n_rows} representing ${p.n_virtual} uploads ` + (p.start ? `over ${p.weeks} weeks from ${p.start.slice(0, 10)}` : '(no upload times)'),
    `prevalence ${pct(p.prevalence, 3)} (${p.positives} harmful)   per week: ${p.week_prevalence.map((x) => pct(x, 2)).join(' ')}`,
    `region prevalence: ${regions}`,
    `missing metadata ${pct(p.missing_metadata_rate)} (new accounts ${pct(p.missing_metadata_rate_new_accounts)})   no audio ${pct(p.no_audio_rate)}   ASR ${pct(p.asr_rate)} (non-English ${pct(p.non_english_asr_rate)}; confidence en ${p.asr_confidence_english?.toFixed(3) ?? 'n/a'}, other ${p.asr_confidence_non_english?.toFixed(3) ?? 'n/a'})`,
    `frames mean ${p.mean_frames.toFixed(1)}, p99 ${p.p99_frames}, max ${p.max_frames} (dim ${p.frame_dim}; audio dim ${p.audio_dim})`,
    `rater kappa ${p.rater_kappa?.toFixed(3) ?? 'n/a'}   re-uploads ${pct(p.reupload_rate)} of all, ${pct(p.harmful_reupload_rate)} of harmful`,
  ].join('\n');
}
