import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitPreprocessor, transform, preprocessorFromJSON, preprocessorSha, type FittedPreprocessor } from '../../src/features/preprocess.js';
import { featuresConfigSchema } from '../../src/features/config.js';
import { pooledFeatures } from '../../src/features/pooled.js';
import { textDim, textNames, type FittedVocabularyText } from '../../src/features/textFeaturizer.js';
import { handTable, type HandRow } from '../fixtures/handTable.js';

const base: HandRow = { country: 'US', device: 'ios', age: 100, strikes: 0, dur: 10, hour: 6, frames: [[0, 0]], audio: null,
  transcript: null, asr: 0.8, language: 'en', harmful: 0 };
const row = (transcript: string | null, harmful: 0 | 1 = 0): HandRow => ({ ...base, transcript, harmful });
// The vocabulary block alone (the stacked linear column has its own tests, text-linear.test.ts).
const cfg = (o: Record<string, unknown> = {}) => featuresConfigSchema.parse({ minLevelCount: 1, textLinear: false, ...o });
const vocabOf = (f: FittedPreprocessor) => f.text as FittedVocabularyText;

test('vocabulary (the default): min df, document frequency (not counts), word/bigram/char 2–5 terms', () => {
  // 'aa aa' counts once for df; 'zz' is in one transcript only.
  const t = handTable([row('aa aa bb'), row('aa bb'), row('bb zz'), row(null)]);
  const f = fitPreprocessor(t, [0, 1, 2, 3], cfg({ textMinDf: 2, textSelect: 'df' }));
  assert.equal(vocabOf(fitPreprocessor(t, [0, 1, 2, 3], cfg())).kind, 'vocabulary');
  const v = vocabOf(f);
  assert.equal(v.kind, 'vocabulary');
  assert.equal(f.version, 4);
  assert.deepEqual([v.minChar, v.maxChar], [2, 5]);
  // df 3: every 'bb' term; df 2: 'aa' terms and the bigram 'aa bb'. Ties → code-unit order of the term.
  assert.deepEqual(v.vocabulary, ['c: b', 'c: bb', 'c: bb ', 'c:b ', 'c:bb', 'c:bb ', 'w:bb',
    'b:aa bb', 'c: a', 'c: aa', 'c: aa ', 'c:a ', 'c:aa', 'c:aa ', 'w:aa']);
  assert.ok(!v.vocabulary.some((g) => g.includes('z')), 'df-1 terms are dropped');
  // N = 3 transcripts (null is not a transcript): idf = ln(4 / (1 + df)) + 1.
  assert.ok(Math.abs(v.idf[0] - 1) < 1e-12);
  assert.ok(Math.abs(v.idf[v.vocabulary.indexOf('w:aa')] - (Math.log(4 / 3) + 1)) < 1e-12);
  // termScale = √(mean kept terms per train transcript) = √((15 + 15 + 7) / 3).
  assert.equal(v.termScale, Math.round(Math.sqrt(37 / 3) * 1000) / 1000);
  assert.equal(f.dims.text, 15 + 1 + 1 + 2);
  assert.equal(textDim(v), f.dims.text);
  assert.deepEqual(textNames(v).slice(14), ['text=w:aa', 'asr_confidence', 'language=en', 'language=OTHER', 'language=NONE']);
});

test('vocabulary: the cap keeps the most frequent terms; fit uses train rows only and is deterministic', () => {
  const t = handTable([row('aa bb'), row('aa'), row('aa cc'), row('cc qq'), row('qq qq'), row('qq')]);
  const f = fitPreprocessor(t, [0, 1, 2], cfg({ textMinDf: 1, textVocabulary: 3, textSelect: 'df' }));
  // Train rows 0–2: 'aa' terms have df 3 (c: a, c: aa, c: aa , c:a , c:aa, c:aa , w:aa) → the 3 first by code units.
  assert.deepEqual(vocabOf(f).vocabulary, ['c: a', 'c: aa', 'c: aa ']);
  const all = fitPreprocessor(t, [0, 1, 2], cfg({ textMinDf: 1 }));
  assert.ok(!vocabOf(all).vocabulary.some((g) => g.includes('q')), 'terms only in non-train rows are not in the vocabulary');
  // Same rows in another order → the same fitted state.
  const again = fitPreprocessor(t, [2, 0, 1], cfg({ textMinDf: 1 }));
  assert.equal(again.sha, all.sha);
});

test('vocabulary: chi2 selection ranks label-associated terms first (train labels only)', () => {
  const t = handTable([row('kill now', 1), row('kill it', 1), row('nice now'), row('nice it'), row('nice day'), row('it day'),
    row('nice nice', 1)]);
  // 'kill' (only in positives) has 13 terms of equal χ²; the cap keeps the first 12 of them.
  const f = fitPreprocessor(t, [0, 1, 2, 3, 4, 5], cfg({ textMinDf: 2, textSelect: 'chi2', textVocabulary: 12 }));
  const v = vocabOf(f).vocabulary;
  assert.equal(v.length, 12);
  assert.ok(v.every((g) => /k|il|ll|l /.test(g)), `only 'kill' terms are kept: ${v.join(',')}`);
  assert.equal(v[0], 'c: k');
  // df selection on the same rows ranks the frequent terms of 'nice' and 'it' first instead.
  const byDf = vocabOf(fitPreprocessor(t, [0, 1, 2, 3, 4, 5], cfg({ textMinDf: 2, textVocabulary: 12, textSelect: 'df' }))).vocabulary;
  assert.ok(!byDf.some((g) => g.includes('k')));
  // df is the default; 'mixed' keeps the first half by χ², then the most frequent remaining terms.
  assert.deepEqual(vocabOf(fitPreprocessor(t, [0, 1, 2, 3, 4, 5], cfg({ textMinDf: 2, textVocabulary: 12 }))).vocabulary, byDf);
  const mixed = vocabOf(fitPreprocessor(t, [0, 1, 2, 3, 4, 5], cfg({ textMinDf: 2, textVocabulary: 12, textSelect: 'mixed' }))).vocabulary;
  assert.deepEqual(mixed.slice(0, 6), v.slice(0, 6));
  assert.deepEqual(mixed.slice(6), byDf.filter((g) => !v.slice(0, 6).includes(g)).slice(0, 6));
  // The row outside the train rows (a positive 'nice nice') does not change the fit.
  const chi = cfg({ textMinDf: 2, textVocabulary: 12, textSelect: 'chi2' });
  assert.equal(fitPreprocessor(t, [0, 1, 2, 3, 4, 5], chi).sha,
    fitPreprocessor(handTable([...[0, 1, 2, 3, 4, 5].map((i) => row(t.transcript[i], t.harmful[i] as 0 | 1)), row('nice nice', 0)]), [0, 1, 2, 3, 4, 5], chi).sha);
});

test('vocabulary transform: TF-IDF on known terms, unseen words dropped, avail follows tokens not hits', () => {
  const t = handTable([row('aa bb'), row('aa'), row('zzz qqq'), row('...'), row('AA aa')]);
  const f = fitPreprocessor(t, [0, 1], cfg({ textMinDf: 1 }));
  const v = vocabOf(f);
  const b = transform(f, t, [0, 2, 3, 4]);
  const D = f.dims.text, V = v.vocabulary.length;
  const col = (r: number, term: string) => b.text[r * D + v.vocabulary.indexOf(term)];
  // Row 0: every term of 'aa bb' is in the vocabulary with tf 1; unit L2 × termScale.
  let norm = 0;
  for (let j = 0; j < V; j++) norm += b.text[j] ** 2;
  assert.ok(Math.abs(Math.sqrt(norm) - v.termScale) < 1e-4);
  assert.ok(col(0, 'w:bb') > col(0, 'w:aa'), 'rarer term has the higher idf');
  // Row 1 ('zzz qqq'): no known term → zero term block, but the transcript is there.
  assert.deepEqual(Array.from(b.text.subarray(D, D + V)).filter((x) => x !== 0), []);
  assert.equal(b.avail[1 * 4 + 3], 1);
  // Row 2 ('...') has no token → not available.
  assert.equal(b.avail[2 * 4 + 3], 0);
  // Row 3 ('AA aa'): lower-cased, w:aa counted twice → sublinear tf 1 + ln 2 on that column before scaling.
  const a = col(3, 'w:aa'), c = col(3, 'c: a');
  assert.ok(Math.abs(a / c - (1 + Math.log(2)) / (1 + Math.log(2))) < 1e-6 && col(3, 'b:aa aa') === 0);
  // After the term block: asr confidence and language one-hot.
  assert.ok(Math.abs(b.text[V] - 0.8) < 1e-6);
  assert.equal(b.text[V + 1], 1);
  // Pooled features carry the term names.
  const P = pooledFeatures(f, t, [0]);
  assert.ok(P.names.includes('text=w:bb'));
  assert.equal(P.X[P.names.indexOf('text=w:bb')], col(0, 'w:bb'));
});

test('preprocessor JSON: a vocabulary round-trips to the same transform; version-2 hashed files still load', () => {
  const t = handTable([row('hello world'), row('hello there world'), row('bye')]);
  const f = fitPreprocessor(t, [0, 1, 2], cfg({ textMinDf: 1 }));
  const back = preprocessorFromJSON(JSON.parse(JSON.stringify(f)));
  assert.deepEqual(Array.from(transform(back, t, [0, 1, 2]).text), Array.from(transform(f, t, [0, 1, 2]).text));
  const tampered = JSON.parse(JSON.stringify(f));
  tampered.text.vocabulary[0] = 'w:edited';
  assert.throws(() => preprocessorFromJSON(tampered), /preprocessor\.sha/);
  // A version-2 file: hashed text without the `kind` tag.
  const h = fitPreprocessor(t, [0, 1, 2], cfg({ text: 'hashed', textBuckets: 64 }));
  const { kind: _k, ...textV2 } = h.text as { kind?: string };
  const body = { ...h, version: 2, text: textV2 } as Record<string, unknown>;
  delete body.sha;
  const v2 = preprocessorFromJSON(JSON.parse(JSON.stringify({ ...body, sha: preprocessorSha(body as never) })));
  assert.equal(v2.version, 2);
  assert.deepEqual(Array.from(transform(v2, t, [0, 1]).text), Array.from(transform(h, t, [0, 1]).text));
  assert.throws(() => preprocessorFromJSON({ ...f, version: 5 }), /preprocessor\.version.*got 5/);
});
