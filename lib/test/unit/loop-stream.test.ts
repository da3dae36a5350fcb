import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate } from '../../src/simulate/generate.js';
import { PRESETS, DEFAULT_KNOBS } from '../../src/simulate/presets.js';
import { setQuiet } from '../../src/util/progress.js';

setQuiet(true);

test('a salted stream keeps the seed\'s world and draws new uploads, placed at the given start', () => {
  const preset = { ...PRESETS.tiny, nVirtual: 3000, weeks: 2 };
  const base = simulate(preset, 1);
  const again = simulate(preset, 1, DEFAULT_KNOBS, {});
  assert.deepEqual(Array.from(again.table.uploadTs), Array.from(base.table.uploadTs), 'without a salt the stream is unchanged');
  const startMs = base.endMs + 7 * 86_400_000;
  const salted = simulate(preset, 1, DEFAULT_KNOBS, { salt: 'loop-1', startMs });
  // Same world: the vocabularies (and embedding geometry) come from the seed alone.
  assert.deepEqual(salted.vocab, base.vocab);
  // New stream: different uploads, all on or after the new start.
  assert.notDeepEqual(Array.from(salted.stream.content.slice(0, 200)), Array.from(base.stream.content.slice(0, 200)));
  assert.ok(salted.table.uploadTs.every((t) => t >= startMs), 'an upload before the salted stream\'s start');
  assert.equal(salted.startMs, startMs);
  const other = simulate(preset, 1, DEFAULT_KNOBS, { salt: 'loop-2', startMs });
  assert.notDeepEqual(Array.from(other.table.uploadTs.slice(0, 50)), Array.from(salted.table.uploadTs.slice(0, 50)));
});
