import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gramsOfTokens, tokenize } from '../../src/features/textGrams.js';

test('feature strings: words, bigrams and character n-grams counted in code points, astral characters whole', () => {
  assert.deepEqual(gramsOfTokens(['ab', 'c'], 2, 3), ['w:ab', 'b:ab c', 'c: a', 'c:ab', 'c:b ', 'c: ab', 'c:ab ', 'w:c', 'c: c', 'c:c ', 'c: c ']);
  // '𝒳' is one code point (two UTF-16 units): a 2-gram never splits it.
  const g = gramsOfTokens(['𝒳y'], 2, 2);
  assert.deepEqual(g, ['w:𝒳y', 'c: 𝒳', 'c:𝒳y', 'c:y ']);
  // Independent of the implementation: each character gram is n code points of the padded word.
  for (const tok of tokenize('Grüße 日本語 x😀y 12')) {
    const cps = [...` ${tok} `];
    const chars = gramsOfTokens([tok], 2, 5).filter((s) => s.startsWith('c:')).map((s) => s.slice(2));
    assert.equal(chars.length, [2, 3, 4, 5].reduce((a, n) => a + Math.max(0, cps.length - n + 1), 0), tok);
    for (const c of chars) assert.ok([...c].length >= 2 && [...c].length <= 5 && ` ${tok} `.includes(c), `${tok}: '${c}'`);
  }
});
