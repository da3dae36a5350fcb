import type { Rng } from '../util/rng.js';
import { fnv1a } from '../util/hash.js';
import type { VideoTable } from '../data/table.js';
import { fitLogisticAdam, type LogisticFit } from '../util/logisticAdam.js';

/**
 * Quick per-modality signal probes: pooled features per modality and a weighted logistic
 * regression. They are a *lower bound* on what each modality carries (a linear model on mean/max
 * pooled vectors), used to tune the simulator — not the product's models.
 */
export type ProbeModality = 'meta' | 'visual' | 'audio' | 'text';

export interface FeatureMatrix { n: number; d: number; x: Float32Array }

const TEXT_BUCKETS = 1024;

export function probeFeatures(t: VideoTable, m: ProbeModality): FeatureMatrix {
  const n = t.n;
  if (m === 'meta') {
    const regions = [...new Set(t.country)].sort();
    const devices = [...new Set(t.device)].sort();
    const d = 9 + regions.length + devices.length;
    const x = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const o = i * d;
      const age = t.accountAgeDays[i], s = t.priorStrikes[i];
      x[o] = Number.isNaN(age) ? 0 : Math.log1p(age);
      x[o + 1] = Number.isNaN(age) ? 1 : 0;
      x[o + 2] = Number.isNaN(s) ? 0 : Math.log1p(s);
      x[o + 3] = Number.isNaN(s) ? 1 : 0;
      x[o + 4] = !Number.isNaN(age) && age < 30 ? 1 : 0;
      x[o + 5] = Math.sin((2 * Math.PI * t.uploadHour[i]) / 24);
      x[o + 6] = Math.cos((2 * Math.PI * t.uploadHour[i]) / 24);
      x[o + 7] = Math.log1p(t.durationS[i]);
      x[o + 8] = !Number.isNaN(s) && s > 0 ? 1 : 0;
      x[o + 9 + regions.indexOf(t.country[i])] = 1;
      x[o + 9 + regions.length + devices.indexOf(t.device[i])] = 1;
    }
    return { n, d, x };
  }
  if (m === 'visual' || m === 'audio') {
    const dim = m === 'visual' ? t.frameDim : t.audioDim;
    const off = m === 'visual' ? t.frameOffsets : t.audioOffsets;
    const emb = m === 'visual' ? t.frameEmb : t.audioEmb;
    const d = 2 * dim + 1;
    const x = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const a = off[i], b = off[i + 1], o = i * d;
      if (b === a) continue;
      for (let j = 0; j < dim; j++) x[o + dim + j] = -Infinity;
      for (let r = a; r < b; r++) {
        for (let j = 0; j < dim; j++) {
          const v = emb[r * dim + j];
          x[o + j] += v;
          if (v > x[o + dim + j]) x[o + dim + j] = v;
        }
      }
      for (let j = 0; j < dim; j++) x[o + j] /= b - a;
      x[o + 2 * dim] = 1;
    }
    return { n, d, x };
  }
  // text: hashed word unigrams and character trigrams, log-scaled and L2-normalised
  const d = 2 * TEXT_BUCKETS + 2;
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const s = t.transcript[i];
    if (s === null) continue;
    const o = i * d;
    for (const w of s.split(' ')) {
      x[o + (fnv1a(w) % TEXT_BUCKETS)] += 1;
      const p = `#${w}#`;
      for (let c = 0; c + 3 <= p.length; c++) x[o + TEXT_BUCKETS + (fnv1a(p.slice(c, c + 3), 7) % TEXT_BUCKETS)] += 1;
    }
    let nrm = 0;
    for (let j = 0; j < 2 * TEXT_BUCKETS; j++) { x[o + j] = Math.log1p(x[o + j]); nrm += x[o + j] * x[o + j]; }
    nrm = Math.sqrt(nrm) || 1;
    for (let j = 0; j < 2 * TEXT_BUCKETS; j++) x[o + j] /= nrm;
    x[o + 2 * TEXT_BUCKETS] = 1;
    x[o + 2 * TEXT_BUCKETS + 1] = t.asrConfidence[i];
  }
  return { n, d, x };
}

export function concatFeatures(parts: FeatureMatrix[]): FeatureMatrix {
  const n = parts[0].n;
  const d = parts.reduce((s, p) => s + p.d, 0);
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let o = i * d;
    for (const p of parts) { x.set(p.x.subarray(i * p.d, (i + 1) * p.d), o); o += p.d; }
  }
  return { n, d, x };
}

export type LogisticModel = LogisticFit;

/**
 * Weighted logistic regression (util/logisticAdam.ts) on standardised features, positives
 * up-weighted to balance the classes (ranking metrics do not need calibrated outputs). `y`, `w` are
 * indexed like the rows of `f`.
 */
export function fitLogistic(
  f: FeatureMatrix, y: ArrayLike<number>, w: ArrayLike<number>, trainRows: Int32Array, rng: Rng,
  opts: { epochs?: number; lr?: number; l2?: number } = {},
): LogisticModel {
  let wp = 0, wn = 0;
  for (const i of trainRows) if (y[i] === 1) wp += w[i]; else wn += w[i];
  const posScale = wp > 0 ? wn / wp : 1;
  const balanced = new Float64Array(f.n);
  for (const i of trainRows) balanced[i] = w[i] * (y[i] === 1 ? posScale : 1);
  return fitLogisticAdam(f.x, f.d, trainRows, y, balanced, {
    epochs: opts.epochs ?? 6, learningRate: opts.lr ?? 0.01, l2: opts.l2 ?? 1e-4, batchSize: 512, seed: rng.int(2 ** 31),
  });
}

/** Logits of `m` for rows `rows` of `f`. */
export function scoreLogistic(m: LogisticModel, f: FeatureMatrix, rows: ArrayLike<number>): Float64Array {
  const { d, x } = f;
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    let s = m.intercept;
    for (let j = 0; j < d; j++) s += m.coef[j] * ((x[i * d + j] - m.mean[j]) / m.std[j]);
    out[k] = s;
  }
  return out;
}

/**
 * Multiple-instance probe for a sequence modality (frames or audio segments): per policy tag, a
 * logistic detector trained on instances that inherit their video's label (positives = videos with
 * that tag, negatives = videos labelled 0; a video's instances share its weight), then pooled per
 * video as [max logit, mean logit] per tag, plus has-items. Localized harm shows in the max; one
 * detector per tag because each harm has its own direction.
 */
export function sequenceMilFeatures(
  t: VideoTable, m: 'visual' | 'audio', trainRows: Int32Array, rng: Rng, maxInstances = 300_000,
): FeatureMatrix {
  const dim = m === 'visual' ? t.frameDim : t.audioDim;
  const off = m === 'visual' ? t.frameOffsets : t.audioOffsets;
  const emb = m === 'visual' ? t.frameEmb : t.audioEmb;
  const total = off[t.n];
  const inst: FeatureMatrix = { n: total, d: dim, x: emb };
  const tagCount = new Map<string, number>();
  for (const i of trainRows) if (t.harmful[i] === 1) for (const g of t.policyTags[i]) tagCount.set(g, (tagCount.get(g) ?? 0) + 1);
  const tags = [...tagCount.keys()].filter((g) => tagCount.get(g)! >= 10).sort();
  // training instances: every positive video's, a seeded subsample of the negatives' when too many
  let nTrainInst = 0;
  for (const i of trainRows) nTrainInst += off[i + 1] - off[i];
  const keepNeg = Math.min(1, maxInstances / Math.max(1, nTrainInst));
  const negRows: number[] = [];
  const iw = new Float32Array(total);
  for (const i of trainRows) {
    const k = off[i + 1] - off[i];
    for (let r = off[i]; r < off[i + 1]; r++) iw[r] = t.weight[i] / k;
    if (t.harmful[i] === 1 || (keepNeg < 1 && rng.next() >= keepNeg)) continue;
    for (let r = off[i]; r < off[i + 1]; r++) { negRows.push(r); iw[r] /= keepNeg; }
  }
  const all = Int32Array.from({ length: total }, (_, r) => r);
  const d = 2 * tags.length + 1;
  const x = new Float32Array(t.n * d);
  const iy = new Int8Array(total);
  tags.forEach((tag, ti) => {
    iy.fill(0);
    const rows = negRows.slice();
    for (const i of trainRows) {
      if (t.harmful[i] !== 1 || !t.policyTags[i].includes(tag)) continue;
      for (let r = off[i]; r < off[i + 1]; r++) { rows.push(r); iy[r] = 1; }
    }
    let model = fitLogistic(inst, iy, iw, Int32Array.from(rows), rng.fork(tag), { epochs: 3 });
    // one multiple-instance refinement: keep only each positive video's two most suspicious
    // instances as positives (most frames of a harmful video are harmless)
    const refined = negRows.slice();
    for (const i of trainRows) {
      if (t.harmful[i] !== 1 || !t.policyTags[i].includes(tag)) continue;
      const a = off[i], b = off[i + 1];
      const sc = scoreLogistic(model, inst, Int32Array.from({ length: b - a }, (_, k) => a + k));
      const top = Array.from(sc.keys()).sort((p, q) => sc[q] - sc[p]).slice(0, 2);
      for (let r = a; r < b; r++) iy[r] = 0;
      for (const k of top) { refined.push(a + k); iy[a + k] = 1; iw[a + k] = t.weight[i] / top.length; }
    }
    model = fitLogistic(inst, iy, iw, Int32Array.from(refined), rng.fork(tag + '/refine'), { epochs: 3 });
    const s = scoreLogistic(model, inst, all);
    for (let i = 0; i < t.n; i++) {
      const a = off[i], b = off[i + 1];
      if (b === a) continue;
      let mx = -Infinity, mean = 0;
      for (let r = a; r < b; r++) { mx = Math.max(mx, s[r]); mean += s[r]; }
      x[i * d + 2 * ti] = mx; x[i * d + 2 * ti + 1] = mean / (b - a);
    }
  });
  for (let i = 0; i < t.n; i++) if (off[i + 1] > off[i]) x[i * d + d - 1] = 1;
  return { n: t.n, d, x };
}
