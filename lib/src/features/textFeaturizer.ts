import type { VideoTable } from '../data/table.js';
import { fnv1a } from '../util/hash.js';
import { frequentLevels } from './metaEncoder.js';
import type { FeaturesConfig } from './config.js';
import { fitVocabularyText, vocabularyTf, type FittedVocabularyText } from './textVocabulary.js';
import { fitTextLinear, textLinearFeasible, type FittedTextLinear } from './textLinear.js';
import { fittedTermScale, gramsOfTokens, sparseFromCounts, tokenize, type SparseVector, type TextTerms } from './textGrams.js';

export { gramsOfTokens, tokenize, type SparseVector, type TextTerms } from './textGrams.js';

/**
 * Transcript featurizer: word 1–2-grams and within-word character n-grams with sublinear TF × smooth
 * IDF (fitted on train transcripts only), L2-normalised and then multiplied by one constant fitted on
 * the training transcripts, √(mean non-zero terms), so a typical present term is O(1) like the
 * standardised embeddings. Without it (version 1) entries were ~0.05 and an Adam step moved the text
 * tower's output ~20× less than the other towers': it learned almost nothing (docs/training.md). A
 * constant keeps the L2 profile that linear models on the pooled features rely on (they standardise
 * columns, so it is a no-op for them). After the term block come ASR confidence (missing → 0) and a
 * language one-hot, and (version 4, `features.textLinear`) as the LAST column the stacked sparse linear
 * text score (`text_linear`, textLinear.ts).
 *
 * Two term blocks:
 * - `vocabulary` (default, textVocabulary.ts): char 2–5-grams, a vocabulary fitted on the training
 *   transcripts; every kept term has its own column, so rare decisive words are not averaged with
 *   hundreds of others in a bucket.
 * - `hashed` (version-1/2 preprocessors; `features.text = 'hashed'`): char 3–5-grams, FNV-1a hashed
 *   into `buckets`. No vocabulary to store, but on real transcripts (~10⁶ distinct grams) each bucket
 *   mixes hundreds of terms.
 * Tokens are letter/number runs of any script; character n-grams keep a misrecognised word (ASR
 * noise) close to the right one.
 */
export interface FittedHashedText {
  /** Absent in version-1/2 files, which are all hashed. */
  kind?: 'hashed';
  buckets: number;
  /** idf[b] = ln((1 + N) / (1 + df_b)) + 1 over the N train transcripts (smooth IDF). */
  idf: number[];
  languageLevels: string[];
  names: string[];
  /** Factor on the L2-normalised hashed block: √(mean non-zero buckets of a train transcript); absent = 1 (version 1). */
  termScale?: number;
  /** The stacked linear text score (last column); absent before version 4 or with `textLinear: false`. */
  linear?: FittedTextLinear;
}

export type { FittedVocabularyText } from './textVocabulary.js';
export type FittedTextFeaturizer = FittedHashedText | FittedVocabularyText;

/** The hashed block's grams: words, word bigrams, char 3–5-grams. */
export function textGrams(text: string): string[] {
  return gramsOfTokens(tokenize(text), 3, 5);
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
  return sparseFromCounts(counts);
}

/** A transcript counts as available when it has at least one token. */
export function hasTranscript(table: VideoTable, row: number): boolean {
  const t = table.transcript[row];
  return t !== null && tokenize(t).length > 0;
}

function fitHashedText(table: VideoTable, trainRows: ArrayLike<number>, cfg: FeaturesConfig, languageLevels: string[]): FittedHashedText {
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
  const idf = Array.from(df, (d) => Math.log((1 + n) / (1 + d)) + 1);
  const names = [
    ...Array.from({ length: buckets }, (_, b) => `text_hash_${b}`),
    'asr_confidence',
    ...languageLevels.map((l) => `language=${l}`), 'language=OTHER', 'language=NONE',
  ];
  return { kind: 'hashed', buckets, idf, languageLevels, names, termScale: fittedTermScale(nonZero, n) };
}

export function fitTextFeaturizer(table: VideoTable, trainRows: ArrayLike<number>, cfg: FeaturesConfig): FittedTextFeaturizer {
  const languageLevels = frequentLevels(table.language, trainRows, cfg.minLevelCount);
  const f: FittedTextFeaturizer = cfg.text === 'hashed'
    ? fitHashedText(table, trainRows, cfg, languageLevels)
    : fitVocabularyText(table, trainRows, cfg, languageLevels);
  if (cfg.textLinear && textLinearFeasible(table, trainRows)) {
    f.linear = fitTextLinear(table, trainRows, cfg);
    if (f.kind === 'hashed') f.names = [...f.names, TEXT_LINEAR_NAME];
  }
  return f;
}

/** Name of the stacked linear score's column (the last of the text block). */
export const TEXT_LINEAR_NAME = 'text_linear';

/** Width of the term block (buckets or vocabulary size). */
export function termDim(f: FittedTextFeaturizer): number {
  return f.kind === 'vocabulary' ? f.vocabulary.length : f.buckets;
}

export function textDim(f: FittedTextFeaturizer): number {
  return termDim(f) + 1 + f.languageLevels.length + 2 + (f.linear ? 1 : 0);
}

/** Column names of the text block (vocabulary terms are `text=<term>`). */
export function textNames(f: FittedTextFeaturizer): string[] {
  if (f.kind !== 'vocabulary') return f.names;
  return [...f.vocabulary.map((t) => `text=${t}`), 'asr_confidence',
    ...f.languageLevels.map((l) => `language=${l}`), 'language=OTHER', 'language=NONE', ...(f.linear ? [TEXT_LINEAR_NAME] : [])];
}

/** Term frequencies of one transcript in the fitted block's columns (cacheable across epochs). */
export function textTerms(f: FittedTextFeaturizer, text: string | null): TextTerms {
  if (f.kind === 'vocabulary') return vocabularyTf(f, text);
  const v = hashedTf(text, f.buckets);
  // A transcript with at least one token yields at least one hashed gram.
  return { ...v, present: v.idx.length > 0 };
}

/**
 * Write row `row`'s text features into `out` at `offset` from its term frequencies `v` (`textTerms`,
 * cached across epochs in training) and, in `v.linear`, its stacked linear score (the caller picks
 * the out-of-fold value for training rows).
 */
export function encodeText(f: FittedTextFeaturizer, table: VideoTable, row: number, out: Float32Array, offset: number, v: TextTerms): void {
  const d = textDim(f);
  out.fill(0, offset, offset + d);
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
  let p = offset + termDim(f);
  const c = table.asrConfidence[row];
  out[p++] = Number.isNaN(c) ? 0 : c;
  const lang = table.language[row];
  const li = lang === null ? -1 : f.languageLevels.indexOf(lang);
  const L = f.languageLevels.length;
  out[p + (lang === null ? L + 1 : li < 0 ? L : li)] = 1;
  if (f.linear) out[offset + d - 1] = v.linear ?? 0;
}
