import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, loadConfig, applyOverride } from '../../src/config.js';
import { VigilError } from '../../src/util/errors.js';

test('defaults fill every section', () => {
  const c = parseConfig({});
  assert.equal(c.split.testWeeks, 3);
  assert.equal(c.policy.maxFpr, 0.02);
  assert.deepEqual(c.model.towers, ['meta', 'visual', 'audio', 'text']);
});

test('unknown keys and wrong types name the field', () => {
  assert.throws(() => parseConfig({ split: { testWeks: 2 } }), (e: unknown) => e instanceof VigilError && /split/.test(e.message) && /testWeks/.test(e.message));
  assert.throws(() => parseConfig({ train: { epochs: 'ten' } }), (e: unknown) => e instanceof VigilError && /train\.epochs/.test(e.message));
});

test('--set overrides nested values with JSON parsing', () => {
  const raw: Record<string, unknown> = {};
  applyOverride(raw, 'train.epochs=3');
  applyOverride(raw, 'data.path=datasets/tiny');
  const c = parseConfig(raw);
  assert.equal(c.train.epochs, 3);
  assert.equal(c.data.path, 'datasets/tiny');
  assert.throws(() => loadConfig('/nonexistent/x.json'), /does not exist/);
});
