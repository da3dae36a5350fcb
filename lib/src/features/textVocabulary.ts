import type { VideoTable } from '../data/table.js';
import type { FeaturesConfig } from './config.js';
import type { FittedTextLinear } from './textLinear.js';
import { fittedTermScale, gramsOfTokens, sparseFromCounts, tokenize, type TextTerms } from './textGrams.js';

/**
 * The vocabulary text block: word 1–2-grams and within-word character 2–5-grams, each kept term its
 * own column. Fitted on the training transcripts only:
 * - candidates are terms in at least `textMinDf` training transcripts (a term seen once cannot
 *   generalise, and dropping them removes most ASR-error words);
 * - at most `textVocabulary` are kept, ranked by document frequency (`textSelect = 'df'`), by the
 *   χ² statistic of term presence vs the training label (`'chi2'`, weighted by the storage weight),
 *   or half each (`'mixed'`); ties by document frequency, then by the term's code units, so the fit
 *   is deterministic. χ² picks terms for their association with the very rows the model trains on:
 *   on `default` that made the text tower ~3× better alone but the fused model worse (the fusion head
 *   over-trusts a text tower that fits the training positives), so `df` is the default;
 * - columns are in rank order; idf and `termScale` are computed as for the hashed block.
 * The fitted state is the term list itself (plain JSON in preprocessor.json), so serving looks terms
 * up exactly as training did; unseen terms are dropped.
 */
export interface FittedVocabularyText {
  kind: 'vocabulary';
  /** Column order: `w:` words, `b:` word bigrams, `c:` character n-grams (with ' ' marking word edges). */
  vocabulary: string[];
  /** idf[j] = ln((1 + N) / (1 + df_j)) + 1 over the N train transcripts (smooth IDF). */
  idf: number[];
  minChar: number;
  maxChar: number;
  languageLevels: string[];
  /** Factor on the L2-normalised term block: √(mean non-zero terms of a train transcript). */
  termScale: number;
  /** The stacked linear text score (last column, textLinear.ts); absent before version 4 or with `textLinear: false`. */
  linear?: FittedTextLinear;
}

export const VOCABULARY_MIN_CHAR = 2;
export const VOCABULARY_MAX_CHAR = 5;

/** Distinct grams of one transcript (the document-frequency unit). */
function distinctGrams(text: string, minChar: number, maxChar: number): Set<string> {
  return new Set(gramsOfTokens(tokenize(text), minChar, maxChar));
}

/** χ² of a 2×2 table: term present/absent × positive/negative (weighted counts). */
function chi2(a: number, b: number, pos: number, total: number): number {
  const c = pos - a, d = total - pos - b;
  const den = (a + b) * (c + d) * pos * (total - pos);
  return den > 0 ? (total * (a * d - b * c) ** 2) / den : 0;
}

interface Candidate { g: string; df: number; score: number }

const byDf = (x: Candidate, y: Candidate): number => y.df - x.df || (x.g < y.g ? -1 : x.g > y.g ? 1 : 0);
const byScore = (x: Candidate, y: Candidate): number => y.score - x.score || byDf(x, y);

/**
 * The kept terms in column order. 'mixed': the first half by χ², then the most frequent of the rest —
 * χ² alone finds the rare decisive words (a harm word in 3% of positive transcripts) but drops the
 * broad frequent context a linear scorer also uses; document frequency alone misses those words.
 */
export function selectTerms(cand: Candidate[], cap: number, select: FeaturesConfig['textSelect']): Candidate[] {
  if (select === 'df') return cand.sort(byDf).slice(0, cap);
  cand.sort(byScore);
  if (select === 'chi2') return cand.slice(0, cap);
  const first = cand.slice(0, Math.ceil(cap / 2));
  return [...first, ...cand.slice(first.length).sort(byDf).slice(0, cap - first.length)];
}

export function fitVocabularyText(table: VideoTable, trainRows: ArrayLike<number>, cfg: FeaturesConfig,
  languageLevels: string[]): FittedVocabularyText {
  const minChar = VOCABULARY_MIN_CHAR, maxChar = VOCABULARY_MAX_CHAR;
  const supervised = cfg.textSelect !== 'df';
  // gram → slot in the growing count arrays
  const slot = new Map<string, number>();
  let df = new Int32Array(1 << 16), posW = new Float64Array(supervised ? 1 << 16 : 0), allW = new Float64Array(supervised ? 1 << 16 : 0);
  let n = 0, posTotal = 0, wTotal = 0;
  for (let k = 0; k < trainRows.length; k++) {
    const r = trainRows[k];
    const t = table.transcript[r];
    if (t === null) continue;
    n++;
    const w = table.weight[r], y = table.harmful[r] === 1;
    wTotal += w;
    if (y) posTotal += w;
    for (const g of distinctGrams(t, minChar, maxChar)) {
      let s = slot.get(g);
      if (s === undefined) {
        s = slot.size;
        slot.set(g, s);
        if (s >= df.length) {
          const grow = <A extends Int32Array | Float64Array>(x: A): A => { const y2 = new (x.constructor as new (n: number) => A)(x.length * 2); y2.set(x); return y2; };
          df = grow(df);
          if (supervised) { posW = grow(posW); allW = grow(allW); }
        }
      }
      df[s]++;
      if (supervised) { allW[s] += w; if (y) posW[s] += w; }
    }
  }
  const cand: Candidate[] = [];
  for (const [g, s] of slot) {
    if (df[s] < cfg.textMinDf) continue;
    cand.push({ g, df: df[s], score: supervised ? chi2(posW[s], allW[s] - posW[s], posTotal, wTotal) : 0 });
  }
  const kept = selectTerms(cand, cfg.textVocabulary, cfg.textSelect);
  const vocabulary = kept.map((c) => c.g);
  const idf = kept.map((c) => Math.log((1 + n) / (1 + c.df)) + 1);
  // Non-zero columns per train transcript = Σ df over kept terms.
  let nonZero = 0;
  for (const c of kept) nonZero += c.df;
  return { kind: 'vocabulary', vocabulary, idf, minChar, maxChar, languageLevels, termScale: fittedTermScale(nonZero, n) };
}

/** term → column, built once per fitted object (the fitted state itself stays plain JSON). */
const lookups = new WeakMap<FittedVocabularyText, Map<string, number>>();
function lookup(f: FittedVocabularyText): Map<string, number> {
  let m = lookups.get(f);
  if (!m) {
    m = new Map(f.vocabulary.map((t, j) => [t, j]));
    lookups.set(f, m);
  }
  return m;
}

/** Sublinear term frequencies over the vocabulary's columns (ascending); unseen terms are dropped. */
export function vocabularyTf(f: FittedVocabularyText, text: string | null): TextTerms {
  const toks = text ? tokenize(text) : [];
  const m = lookup(f);
  const counts = new Map<number, number>();
  for (const g of gramsOfTokens(toks, f.minChar, f.maxChar)) {
    const j = m.get(g);
    if (j !== undefined) counts.set(j, (counts.get(j) ?? 0) + 1);
  }
  return { ...sparseFromCounts(counts), present: toks.length > 0 };
}
