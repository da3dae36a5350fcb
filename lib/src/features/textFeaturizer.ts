import type { VideoTable } from '../data/table.js';
import { fnv1a } from '../util/hash.js';
import { frequentLevels } from './metaEncoder.js';
import type { FeaturesConfig } from './config.js';

/**
 * Transcript featurizer: hashed word 1–2-grams and character 3–5-grams with TF-IDF, L2-normalised and
 * then multiplied by one constant fitted on the training transcripts, √(mean non-zero buckets), so a
 * typical present term is O(1) like the standardised embeddings. Without it (version 1) entries were
 * ~0.05 and an Adam step moved the text tower's output ~20× less than the other towers': it learned
 * almost nothing (docs/training.md). A constant keeps the L2 profile that linear models on the
 * pooled features rely on (they standardise columns, so it is a no-op for them).
 * Hashing needs no vocabulary, so it works for any language and script; character n-grams keep a
 * misrecognised word (ASR noise) close to the right one. The IDF is fitted on train transcripts only.
 * After the hashed block come ASR confidence (missing → 0) and a language one-hot.
 */
export interface FittedTextFeaturizer {
  buckets: number;
  /** idf[b] = ln((1 + N) / (1 + df_b)) + 1 over the N train transcripts (smooth IDF). */
  idf: number[];
  languageLevels: string[];
  names: string[];
  /** Factor on the L2-normalised hashed block: √(mean non-zero buckets of a train transcript); absent = 1 (version 1). */
  termScale?: number;
}

/** A sparse hashed term-frequency vector: bucket → sublinear tf (1 + ln count). */
export interface SparseVector { idx: Int32Array; val: Float32Array }

/** Lower-cased, NFKC-normalised letter/number runs, any script. */
export function tokenize(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Every hashed feature string of a transcript: `w:` words, `b:` word bigrams, `c:` char 3–5-grams. */
export function textGrams(text: string): string[] {
  const toks = tokenize(text);
  const grams: string[] = [];
  for (let i = 0; i < toks.length; i++) {
    grams.push('w:' + toks[i]);
    if (i + 1 < toks.length) grams.push('b:' + toks[i] + ' ' + toks[i + 1]);
    // Character n-grams within word boundaries (the padding marks word starts and ends).
    const chars = Array.from(' ' + toks[i] + ' ');
    for (let n = 3; n <= 5; n++) {
      for (let s = 0; s + n <= chars.length; s++) grams.push('c:' + chars.slice(s, s + n).join(''));
    }
  }
  return grams;
}

export function hashBucket(gram: string, buckets: number): number {
  return fnv1a(gram) % buckets;
}

/** Hashed sublinear term frequencies of one transcript (buckets ascending). */
export function hashedTf(text: string | null, buckets: number): SparseVector {
  const counts = new Map<number, number>();
  if (text) for (const g of textGrams(text)) {
    const b = hashBucket(g, buckets);
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  const idx = Int32Array.from([...counts.keys()].sort((a, b) => a - b));
  const val = new Float32Array(idx.length);
  for (let k = 0; k < idx.length; k++) val[k] = 1 + Math.log(counts.get(idx[k])!);
  return { idx, val };
}

/** A transcript counts as available when it has at least one token. */
export function hasTranscript(table: VideoTable, row: number): boolean {
  const t = table.transcript[row];
  return t !== null && tokenize(t).length > 0;
}

export function fitTextFeaturizer(table: VideoTable, trainRows: ArrayLike<number>, cfg: FeaturesConfig): FittedTextFeaturizer {
  const buckets = cfg.textBuckets;
  const df = new Float64Array(buckets);
  let n = 0, nonZero = 0;
  for (let k = 0; k < trainRows.length; k++) {
    const t = table.transcript[trainRows[k]];
    if (t === null) continue;
    n++;
    const idx = hashedTf(t, buckets).idx;
    nonZero += idx.length;
    for (const b of idx) df[b]++;
  }
  // Rounded so the fitted JSON is stable to read; 1 when there is no training transcript.
  const termScale = n > 0 && nonZero > 0 ? Math.round(Math.sqrt(nonZero / n) * 1000) / 1000 : 1;
  const idf = Array.from(df, (d) => Math.log((1 + n) / (1 + d)) + 1);
  const languageLevels = frequentLevels(table.language, trainRows, cfg.minLevelCount);
  const names = [
    ...Array.from({ length: buckets }, (_, b) => `text_hash_${b}`),
    'asr_confidence',
    ...languageLevels.map((l) => `language=${l}`), 'language=OTHER', 'language=NONE',
  ];
  return { buckets, idf, languageLevels, names, termScale };
}

export function textDim(f: FittedTextFeaturizer): number {
  return f.names.length;
}

/**
 * Write row `row`'s text features into `out` at `offset`. `tf` may be passed when the hashed term
 * frequencies were computed before (training caches them across epochs).
 */
export function encodeText(f: FittedTextFeaturizer, table: VideoTable, row: number, out: Float32Array, offset: number, tf?: SparseVector): void {
  const d = textDim(f);
  out.fill(0, offset, offset + d);
  const v = tf ?? hashedTf(table.transcript[row], f.buckets);
  let norm = 0;
  for (let k = 0; k < v.idx.length; k++) {
    const x = v.val[k] * f.idf[v.idx[k]];
    out[offset + v.idx[k]] = x;
    norm += x * x;
  }
  if (norm > 0) {
    const s = (f.termScale ?? 1) / Math.sqrt(norm);
    for (let k = 0; k < v.idx.length; k++) out[offset + v.idx[k]] *= s;
  }
  let p = offset + f.buckets;
  const c = table.asrConfidence[row];
  out[p++] = Number.isNaN(c) ? 0 : c;
  const lang = table.language[row];
  const li = lang === null ? -1 : f.languageLevels.indexOf(lang);
  const L = f.languageLevels.length;
  out[p + (lang === null ? L + 1 : li < 0 ? L : li)] = 1;
}
