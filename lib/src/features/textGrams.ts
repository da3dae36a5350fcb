/** Tokens, n-gram strings and sparse term vectors shared by the hashed and the vocabulary text blocks. */

/** A sparse term-frequency vector: column → sublinear tf (1 + ln count), columns ascending. */
export interface SparseVector { idx: Int32Array; val: Float32Array }

/** A transcript's term frequencies, and whether it had any token (the text-available flag). */
export interface TextTerms extends SparseVector {
  present: boolean;
  /** The row's stacked linear text score, filled (and cached with the terms) by `transform`. */
  linear?: number;
}

/** Lower-cased, NFKC-normalised letter/number runs, any script. */
export function tokenize(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Every feature string of tokens: `w:` words, `b:` word bigrams, `c:` char minChar–maxChar-grams. */
export function gramsOfTokens(toks: string[], minChar: number, maxChar: number): string[] {
  const grams: string[] = [];
  const starts: number[] = [];
  for (let i = 0; i < toks.length; i++) {
    grams.push('w:' + toks[i]);
    if (i + 1 < toks.length) grams.push('b:' + toks[i] + ' ' + toks[i + 1]);
    // Character n-grams within word boundaries (the padding marks word starts and ends), counted in
    // code points: `starts` holds each code point's offset, so a gram is one substring.
    const padded = ' ' + toks[i] + ' ';
    starts.length = 0;
    for (let o = 0; o < padded.length; o += padded.codePointAt(o)! > 0xffff ? 2 : 1) starts.push(o);
    starts.push(padded.length);
    const chars = starts.length - 1;
    for (let n = minChar; n <= maxChar; n++) {
      for (let s = 0; s + n <= chars; s++) grams.push('c:' + padded.substring(starts[s], starts[s + n]));
    }
  }
  return grams;
}

/** Column → count map to a SparseVector with sublinear tf, columns ascending. */
export function sparseFromCounts(counts: Map<number, number>): SparseVector {
  const idx = Int32Array.from([...counts.keys()].sort((a, b) => a - b));
  const val = new Float32Array(idx.length);
  for (let k = 0; k < idx.length; k++) val[k] = 1 + Math.log(counts.get(idx[k])!);
  return { idx, val };
}

/** √(mean non-zero terms per train transcript), rounded so the fitted JSON is stable to read; 1 without transcripts. */
export function fittedTermScale(nonZero: number, transcripts: number): number {
  return transcripts > 0 && nonZero > 0 ? Math.round(Math.sqrt(nonZero / transcripts) * 1000) / 1000 : 1;
}
