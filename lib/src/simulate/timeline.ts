import type { Rng } from '../util/rng.js';
import { MS_PER_DAY, MS_PER_WEEK } from '../data/table.js';
import type { SimKnobs, SimPreset } from './presets.js';
import type { Creators } from './creators.js';
import { REGIONS } from './world.js';
import { type ContentStore, makeContentStore, newContent, categoryWeights } from './content.js';

/**
 * The virtual upload stream, in time order (virtual index j = time rank). Every upload gets its
 * creator, time, content item, observed label and point-in-time metadata; storage later keeps every
 * positive and a seeded fraction of negatives. The removal log (`removalTs`) is kept so that the
 * point-in-time property of `priorStrikes` can be verified from the generator's own events.
 */
export interface UploadStream {
  n: number;
  creator: Int32Array;
  ts: Float64Array;
  content: Int32Array;
  /** Virtual index of the upload this one re-uses content from (its first upload), -1 otherwise. */
  reuploadOf: Int32Array;
  label: Int8Array;
  /** When the upload was removed after a harmful label (a strike for its creator); NaN = never. */
  removalTs: Float64Array;
  /** Removals of this creator strictly before this upload's time. */
  priorStrikes: Int32Array;
  accountAgeDays: Float32Array;
  metaMissing: Uint8Array;
  keep: Uint8Array;
  /** Duration of this upload and where it starts in its content's timeline (re-uploads are trimmed). */
  durationS: Float32Array;
  offsetS: Float32Array;
  contents: ContentStore;
}

/** Upload-hour profile (UTC): quiet at night, peak in the evening. */
const HOUR_WEIGHT = [3, 2, 1.5, 1, 1, 1.2, 2, 3, 4, 4.5, 5, 5, 5.5, 5.5, 5.5, 6, 6.5, 7, 8, 8.5, 8.5, 8, 6, 4.5];
const HOUR_CDF = (() => {
  const c = new Float64Array(24);
  let s = 0;
  for (let h = 0; h < 24; h++) { s += HOUR_WEIGHT[h]; c[h] = s; }
  for (let h = 0; h < 24; h++) c[h] /= s;
  return c;
})();
/** Harmful uploads lean slightly towards the night: a weak metadata signal. */
const HOUR_HARM = Array.from({ length: 24 }, (_, h) => (h < 5 ? 1.5 : 1));
const OWN_HISTORY = 6;
const RING_POOL = 40;

function upperBound(cdf: Float64Array, u: number): number {
  let lo = 0, hi = cdf.length - 1;
  while (lo < hi) { const m = (lo + hi) >> 1; if (cdf[m] > u) hi = m; else lo = m + 1; }
  return lo;
}

export function simulateStream(rng: Rng, p: SimPreset, k: SimKnobs, cr: Creators, startMs: number): UploadStream {
  const n = p.nVirtual;
  const endMs = startMs + p.weeks * MS_PER_WEEK;
  const trng = rng.fork('times');
  // creators by cumulative upload weight
  const ccdf = new Float64Array(cr.n);
  let tot = 0;
  for (let c = 0; c < cr.n; c++) { tot += cr.uploadWeight[c]; ccdf[c] = tot; }
  for (let c = 0; c < cr.n; c++) ccdf[c] /= tot;
  // Each upload: a creator, then a time within the creator's active span. Times are whole seconds
  // since start, packed with the draw index into one float so a typed sort orders them.
  const spanS = (endMs - startMs) / 1000;
  const packed = new Float64Array(n);
  const drawCreator = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = upperBound(ccdf, trng.next());
    drawCreator[i] = c;
    const from = Math.max(0, Math.ceil((cr.joinMs[c] - startMs) / 1000));
    const fromDay = Math.floor(from / 86400);
    const nDays = Math.floor(spanS / 86400) - fromDay;
    let sec = 0;
    for (let attempt = 0; attempt < 4; attempt++) {
      const day = fromDay + trng.int(nDays);
      const hour = upperBound(HOUR_CDF, trng.next());
      sec = day * 86400 + hour * 3600 + trng.int(3600);
      if (sec >= from) break;
      sec = from + trng.int(Math.max(1, Math.min(3600, spanS - from)));
    }
    packed[i] = sec * 4194304 + i; // 2^22 > nVirtual
  }
  packed.sort();

  const creator = new Int32Array(n), ts = new Float64Array(n), content = new Int32Array(n);
  const reuploadOf = new Int32Array(n).fill(-1), label = new Int8Array(n);
  const removalTs = new Float64Array(n).fill(NaN), priorStrikes = new Int32Array(n);
  const accountAgeDays = new Float32Array(n), metaMissing = new Uint8Array(n), keep = new Uint8Array(n);
  const durationS = new Float32Array(n), offsetS = new Float32Array(n);
  const contents = makeContentStore(n);
  const own = new Int32Array(cr.n * OWN_HISTORY);
  const ownCount = new Int32Array(cr.n);
  const ownHarm = new Uint8Array(cr.n), ownHarmLast = new Int32Array(cr.n);
  const removals = new Map<number, number[]>();
  const ringPool: number[][] = Array.from({ length: cr.nRings }, () => []);
  const srng = rng.fork('stream');
  const catCache = new Map<number, number[]>();

  for (let j = 0; j < n; j++) {
    const i = packed[j] % 4194304;
    const sec = (packed[j] - i) / 4194304;
    const c = drawCreator[i];
    const t = startMs + sec * 1000;
    creator[j] = c; ts[j] = t;
    const week = Math.min(p.weeks - 1, Math.floor((t - startMs) / MS_PER_WEEK));
    const hour = Math.floor(sec / 3600) % 24;
    const bad = cr.bad[c] === 1;

    // point-in-time metadata: account age at upload, removals strictly before now
    const age = (t - cr.joinMs[c]) / MS_PER_DAY;
    accountAgeDays[j] = Math.floor(age);
    const rem = removals.get(c);
    let strikes = 0;
    if (rem) for (let r = 0; r < rem.length; r++) if (rem[r] < t) strikes++;
    priorStrikes[j] = strikes;
    metaMissing[j] = srng.next() < (age < 30 ? k.missingNew : k.missingOld) ? 1 : 0;

    // content: a re-upload of earlier content (own, or the ring's harmful pool) or something new
    let cid = -1;
    // creators whose history holds harmful content re-upload more (it was removed, they retry)
    const pReup = (bad ? k.badReuploadRate : k.reuploadRate) * (ownHarm[c] ? k.harmfulHistoryReuploadMult : 1);
    if (srng.next() < pReup) {
      const pool = bad ? ringPool[cr.ring[c]] : undefined;
      if (pool && pool.length > 0 && srng.next() < 0.8) cid = pool[srng.int(pool.length)];
      else if (ownCount[c] > 0) {
        cid = own[c * OWN_HISTORY + srng.int(Math.min(ownCount[c], OWN_HISTORY))];
        if (ownHarm[c] && contents.cat[cid] < 0 && srng.next() < 0.5) cid = ownHarmLast[c];
        // most retries stop after one more attempt
        if (contents.cat[cid] >= 0 && srng.next() < 0.6) ownHarm[c] = 0;
      }
    }
    let dur: number, off = 0;
    if (cid >= 0) {
      reuploadOf[j] = contents.firstUpload[cid];
      // near-duplicate: trimmed by up to 15%, never cutting the harmful interval out
      const full = contents.durationS[cid];
      dur = Math.max(1, Math.round(full * (1 - 0.15 * srng.next())));
      off = Math.floor(srng.next() * (full - dur + 1));
      if (contents.cat[cid] >= 0) {
        const hs = contents.harmStart[cid], he = hs + contents.harmLen[cid];
        if (he - hs > dur) dur = Math.min(full, Math.ceil(he - hs));
        off = Math.min(Math.max(off, he - dur), hs);
      }
    } else {
      const pHarm = (bad ? k.badHarmRate : k.baseHarmRate * REGIONS[cr.region[c]].harmMult) * HOUR_HARM[hour];
      let cw = catCache.get(week);
      if (!cw) { cw = categoryWeights(week, p.weeks, p.driftWeeks, k.driftShare); catCache.set(week, cw); }
      cid = newContent(contents, srng, k, {
        region: cr.region[c], harmful: srng.next() < pHarm, catWeights: cw,
        timeFrac: (t - startMs) / (endMs - startMs), firstUpload: j,
      });
      dur = contents.durationS[cid];
      if (bad && contents.cat[cid] >= 0) {
        const pool = ringPool[cr.ring[c]];
        if (pool.length < RING_POOL) pool.push(cid); else pool[srng.int(RING_POOL)] = cid;
      }
    }
    content[j] = cid;
    durationS[j] = dur;
    offsetS[j] = off;
    if (contents.cat[cid] >= 0 && reuploadOf[j] < 0) { ownHarm[c] = 1; ownHarmLast[c] = cid; }
    const h = ownCount[c]++;
    own[c * OWN_HISTORY + (h % OWN_HISTORY)] = cid;

    // one rater decision; a harmful label removes the video after a review delay → a strike
    const y = srng.next() < contents.q[cid] ? 1 : 0;
    label[j] = y;
    if (y === 1) {
      const delayH = Math.min(240, Math.max(0.25, Math.exp(Math.log(6) + 1.1 * srng.normal())));
      const rt = t + delayH * 3_600_000;
      removalTs[j] = rt;
      if (rem) rem.push(rt); else removals.set(c, [rt]);
    }
    keep[j] = y === 1 || srng.next() < p.negKeepRate ? 1 : 0;
  }
  return {
    n, creator, ts, content, reuploadOf, label, removalTs, priorStrikes, accountAgeDays, metaMissing,
    keep, durationS, offsetS, contents,
  };
}
