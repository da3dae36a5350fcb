import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';

async function errorOf(args: string[]): Promise<{ code: number; err: string }> {
  const orig = console.error;
  const lines: string[] = [];
  console.error = (...a: unknown[]) => { lines.push(a.join(' ')); };
  try {
    const code = await main(args);
    return { code, err: lines.join('\n') };
  } finally {
    console.error = orig;
  }
}

test('vigil loop refuses bad input naming the option or the run', async () => {
  const root = mkdtempSync(join(tmpdir(), 'vigil-loopcli-'));
  const cases: [string[], RegExp][] = [
    [['loop'], /expected one RUN/],
    [['loop', 'r', '--weeks', 'two'], /--weeks: expected an integer, got 'two'/],
    [['loop', 'r', '--weeks', '0'], /--weeks: .*>=\s?1/],
    [['loop', 'r', '--capacity', '0.5'], /--capacity: /],
    [['loop', 'r', '--capacity', 'lots'], /--capacity: expected a number, got 'lots'/],
    [['loop', 'r', '--queue-mode', 'hidden'], /--queue-mode: /],
    [['loop', 'r', '--retrained-routing', 'both'], /--retrained-routing: /],
    [['loop', 'r', '--strategy', 'random'], /--strategy: expected one of top-risk, active, active\+audit, got 'random'/],
    [['loop', 'r', '--explore', '0.6', '--audit', '0.5'], /--audit: exploreShare \+ auditShare must leave capacity/],
    [['loop', join(root, 'missing')], /run '.*missing' not found/],
  ];
  for (const [args, re] of cases) {
    const { code, err } = await errorOf(args);
    assert.equal(code, 2, `${args.join(' ')} → exit ${code}`);
    assert.match(err, re, args.join(' '));
  }
  // A run folder whose dataset was not simulated cannot be replayed: there is no ground truth.
  const run = join(root, 'real');
  mkdirSync(run);
  writeFileSync(join(run, 'manifest.json'), JSON.stringify({ config: { data: { path: 'datasets/real' } } }));
  const { code, err } = await errorOf(['loop', run, '--weeks', '2']);
  assert.equal(code, 2);
  assert.match(err, /not trained on a simulated dataset/);
  // More weeks than the world has.
  writeFileSync(join(run, 'manifest.json'), JSON.stringify({ config: { data: { simulatePreset: 'tiny', seed: 1 } } }));
  const big = await errorOf(['loop', run, '--weeks', '9']);
  assert.equal(big.code, 2);
  assert.match(big.err, /--weeks: the 'tiny' world has 8 weeks, got 9/);
});
