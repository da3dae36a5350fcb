import type { VideoTable } from '../data/table.js';
import { averagePrecision } from '../stats/metrics.js';
import { curveOf, prepareScored } from '../stats/curves.js';
import { fnv1a } from '../util/hash.js';
import type { FeaturesConfig } from './config.js';
import { fitSparseLogistic, sparseLogits, type CsrMatrix } from './sparseLogistic.js';
import { vocabularyTf, fitVocabularyText, type FittedVocabularyText } from './textVocabulary.js';

/**
 * The stacked sparse linear text score: one column of the text block (its last) holding the logit of
 * a weighted L2 logistic regression over a WIDE TF-IDF vocabulary (up to `textLinearVocabulary`
 * terms, 2^17 by default, by document frequency, min df `textMinDf`), fitted on the training rows.
 *
 * Why: the text tower's first layer is dense, so its vocabulary must stay narrow (2,048 terms) on the
 * wasm backend, and an MLP over it over-fits; a linear model over 10⁵ terms is what a strong text
 * baseline is (TF-IDF + logistic regression). Its score is a single well-calibrated-in-rank feature
 * the towers and the fusion head can use.
 *
 * Features: sublinear tf × smooth idf as in the vocabulary block, but the word terms (`w:`, `b:`) and
 * the character terms (`c:`) are L2-normalised separately (two blocks of norm 1), like the usual
 * word + char_wb TF-IDF union; otherwise the many character grams drown the words.
 *
 * Fit: C is chosen from `TEXT_LINEAR_C_GRID` by out-of-fold average precision over K = 4 folds of the
 * training transcripts, a creator's rows in one fold (fold = FNV-1a(creator_id) mod 4); then refit on
 * all training transcripts with that C. No calibration or test rows are used.
 *
 * Column value: TEXT_LINEAR_GAIN · (logit − center) / scale, center and scale the mean and standard
 * deviation of the out-of-fold logits; 0 for rows without a transcript. The gain: an Adam step moves a
 * first-layer weight by about the same amount whatever its input's scale, so the output moves in
 * proportion to the input; at unit scale the text MLP fitted the 2,048 term columns long before it
 * leaned on this one (Davidson: text tower test AP 0.367 at gain 1, 0.415 at 4, 0.438 at 12).
 *
 * Stacking: for the training rows themselves the column must hold the OUT-OF-FOLD value (the fold
 * model that did not see the row); the full model's in-sample logit is far more confident on the rows
 * it was fitted on, and towers and fusion head trained on it learn to over-trust it. Those values are
 * kept in a non-serialised side table keyed by the fitted `linear` object (`trainingLinearValues`),
 * looked up by video_id in `transform`: preprocessor.json never contains them, and a preprocessor
 * loaded from JSON (serving) always uses the full model.
 */
export interface FittedTextLinear {
  /** Column order of `weights`: `w:`/`b:`/`c:` terms as in the vocabulary block. */
  vocabulary: string[];
  idf: number[];
  minChar: number;
  maxChar: number;
  weights: number[];
  bias: number;
  center: number;
  scale: number;
  /** The C picked, and the out-of-fold AP of every C tried (for the report and the docs). */
  C: number;
  grid: { C: number; oofAp: number | null }[];
}

export const TEXT_LINEAR_FOLDS = 4;
export const TEXT_LINEAR_C_GRID = [0.25, 1, 4];
export const TEXT_LINEAR_GAIN = 12;

/** Six significant digits: the stored model is what training and serving both use, and the JSON stays small. */
const r6 = (x: number): number => (x === 0 || !Number.isFinite(x) ? 0 : Number(x.toPrecision(6)));

/** Training values of the column (out-of-fold), by video_id; never serialised. */
const trainingValues = new WeakMap<FittedTextLinear, Map<string, number>>();

/** The out-of-fold training values of a freshly fitted model; undefined after a JSON round trip. */
export function trainingLinearValues(f: FittedTextLinear): ReadonlyMap<string, number> | undefined {
  return trainingValues.get(f);
}

/** The vocabulary-block view of the linear model's terms (to reuse its tf lookup). */
const views = new WeakMap<FittedTextLinear, FittedVocabularyText>();
function vocabView(f: FittedTextLinear): FittedVocabularyText {
  let v = views.get(f);
  if (!v) {
    v = { kind: 'vocabulary', vocabulary: f.vocabulary, idf: f.idf, minChar: f.minChar, maxChar: f.maxChar, languageLevels: [], termScale: 1 };
    views.set(f, v);
  }
  return v;
}

/** Whether a term is a word term (`w:`, `b:`) rather than a character gram (`c:`). */
const isWordTerm = (t: string): boolean => t.charCodeAt(0) !== 99; // 'c'

/** Sparse TF-IDF row with the word and character blocks each L2-normalised. */
function featureRow(f: FittedTextLinear, text: string | null): { idx: Int32Array; val: Float64Array; present: boolean } {
  const tf = vocabularyTf(vocabView(f), text);
  const val = new Float64Array(tf.idx.length);
  let nw = 0, nc = 0;
  for (let k = 0; k < tf.idx.length; k++) {
    const x = tf.val[k] * f.idf[tf.idx[k]];
    val[k] = x;
    if (isWordTerm(f.vocabulary[tf.idx[k]])) nw += x * x; else nc += x * x;
  }
  const sw = nw > 0 ? 1 / Math.sqrt(nw) : 0, sc = nc > 0 ? 1 / Math.sqrt(nc) : 0;
  for (let k = 0; k < val.length; k++) val[k] *= isWordTerm(f.vocabulary[tf.idx[k]]) ? sw : sc;
  return { idx: tf.idx, val, present: tf.present };
}

/** The full model's column value for a transcript (0 without one). */
export function textLinearValue(f: FittedTextLinear, text: string | null): number {
  const { idx, val, present } = featureRow(f, text);
  if (!present) return 0;
  let z = f.bias;
  for (let k = 0; k < idx.length; k++) z += val[k] * f.weights[idx[k]];
  return (TEXT_LINEAR_GAIN * (z - f.center)) / f.scale;
}

/** Creator fold in 0..K-1 (a stable hash, so a creator's rows share a fold). */
export function creatorFold(creatorId: string, k = TEXT_LINEAR_FOLDS): number {
  return fnv1a(creatorId) % k;
}

function weightedAp(z: Float64Array, y: Float64Array, w: Float64Array): number | null {
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i];
  if (pos === 0 || pos === y.length) return null;
  const ap = averagePrecision(curveOf(prepareScored(z, y, w)));
  return Number.isFinite(ap) ? ap : null;
}

/** Fewest training transcripts of each class for the linear score (fewer: no `text_linear` column). */
export const TEXT_LINEAR_MIN_CLASS = 10;

/**
 * Whether the training rows can support the stacked linear score: its out-of-fold logits are
 * standardised by their spread, which a handful of transcripts cannot estimate (a few rows gave a
 * spread near zero and column values in the thousands), and 4 folds need positives in each.
 */
export function textLinearFeasible(table: VideoTable, trainRows: ArrayLike<number>): boolean {
  let pos = 0, neg = 0;
  for (let k = 0; k < trainRows.length; k++) {
    const r = trainRows[k];
    const t = table.transcript[r];
    if (t === null || t.trim() === '') continue;
    if (table.harmful[r] === 1) pos++; else if (table.harmful[r] === 0) neg++;
  }
  return pos >= TEXT_LINEAR_MIN_CLASS && neg >= TEXT_LINEAR_MIN_CLASS;
}

export function fitTextLinear(table: VideoTable, trainRows: ArrayLike<number>, cfg: FeaturesConfig): FittedTextLinear {
  const v = fitVocabularyText(table, trainRows, { ...cfg, textVocabulary: cfg.textLinearVocabulary, textSelect: 'df' }, []);
  const f: FittedTextLinear = {
    vocabulary: v.vocabulary, idf: v.idf, minChar: v.minChar, maxChar: v.maxChar,
    weights: [], bias: 0, center: 0, scale: 1, C: TEXT_LINEAR_C_GRID[0], grid: [],
  };
  // The design matrix over the training transcripts (at least one token: the text-available rows).
  const docs: number[] = [], feats: ReturnType<typeof featureRow>[] = [];
  for (let k = 0; k < trainRows.length; k++) {
    const fr = featureRow(f, table.transcript[trainRows[k]]);
    if (fr.present) { docs.push(trainRows[k]); feats.push(fr); }
  }
  const n = docs.length, d = v.vocabulary.length;
  const rowPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowPtr[i + 1] = rowPtr[i] + feats[i].idx.length;
  const col = new Int32Array(rowPtr[n]), val = new Float64Array(rowPtr[n]);
  for (let i = 0; i < n; i++) { col.set(feats[i].idx, rowPtr[i]); val.set(feats[i].val, rowPtr[i]); }
  const X: CsrMatrix = { rows: n, cols: d, rowPtr, col, val };
  const y = Float64Array.from(docs, (r) => (table.harmful[r] === 1 ? 1 : 0));
  const w = Float64Array.from(docs, (r) => table.weight[r]);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const fold = Int32Array.from(docs, (r) => creatorFold(table.creatorId[r]));

  // Out-of-fold logits for every C (warm-started along the grid within a fold).
  const oof = TEXT_LINEAR_C_GRID.map(() => new Float64Array(n));
  for (let k = 0; k < TEXT_LINEAR_FOLDS; k++) {
    const fitRows = all.filter((i) => fold[i] !== k), held = all.filter((i) => fold[i] === k);
    if (held.length === 0) continue;
    let init: Float64Array | undefined;
    TEXT_LINEAR_C_GRID.forEach((C, c) => {
      const m = fitSparseLogistic(X, fitRows, Array.from(fitRows, (i) => y[i]), Array.from(fitRows, (i) => w[i]), { C, init });
      init = m.theta;
      const zs = sparseLogits(X, m.theta, held);
      for (let h = 0; h < held.length; h++) oof[c][held[h]] = zs[h];
    });
  }
  f.grid = TEXT_LINEAR_C_GRID.map((C, c) => ({ C, oofAp: ((ap) => (ap === null ? null : r6(ap)))(weightedAp(oof[c], y, w)) }));
  // Best out-of-fold AP; ties (or no AP: no positives) keep the smaller C.
  let best = 0;
  f.grid.forEach((g, c) => { if (g.oofAp !== null && (f.grid[best].oofAp === null || g.oofAp > f.grid[best].oofAp!)) best = c; });
  f.C = TEXT_LINEAR_C_GRID[best];

  const full = fitSparseLogistic(X, all, y, w, { C: f.C });
  f.weights = Array.from(full.theta.subarray(0, d), r6);
  f.bias = r6(full.theta[d]);
  const z = oof[best];
  let mean = 0;
  for (let i = 0; i < n; i++) mean += z[i];
  mean = n > 0 ? mean / n : 0;
  let sd = 0;
  for (let i = 0; i < n; i++) sd += (z[i] - mean) ** 2;
  sd = n > 1 ? Math.sqrt(sd / (n - 1)) : 0;
  f.center = r6(mean);
  f.scale = sd > 1e-6 ? r6(sd) : 1;
  const values = new Map<string, number>();
  for (let i = 0; i < n; i++) values.set(table.videoId[docs[i]], (TEXT_LINEAR_GAIN * (z[i] - f.center)) / f.scale);
  trainingValues.set(f, values);
  return f;
}
