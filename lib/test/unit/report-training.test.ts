import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport } from '../../src/report/render.js';
import type { TrainingSection } from '../../src/report/types.js';

const training: TrainingSection = {
  basis: '660 training rows, 275 positives, weighted prevalence 41.67%; 660 rows and 11 optimiser steps per epoch',
  recipe: [
    { field: 'negativeKeepRate', value: 1, source: 'derived', reason: 'all negatives kept: 385 negatives' },
    { field: 'batchSize', value: 64, source: 'explicit', reason: 'set in the experiment config' },
  ],
  selection: {
    towers: [
      { tower: 'meta', judged: true, kept: false, calibAp: 0.41, chance: 0.4, liftLow: -0.03, aboveChance: false },
      { tower: 'text', judged: true, kept: true, calibAp: 0.72, chance: 0.4, liftLow: 0.21, aboveChance: true },
      { tower: 'visual', judged: false, kept: true },
    ],
    fusedCalibAp: 0.61, fusedTowers: ['visual', 'text'], fusedRetrained: true, fusedCalibApAllTowers: 0.38,
    exported: 'tower:text', fusionBeatBestTower: false, reason: 'tower:text alone reaches calibration AP 0.7200, above the fused model\'s 0.6100',
    resamples: 200,
  },
};

test('the training section shows the recipe, each tower against chance, the fused AP and the exported model in both formats', async () => {
  const { html, md } = await renderReport({ runId: 'r', training }, { now: new Date(0) });
  for (const out of [md, html]) {
    assert.match(out, /Training recipe and model selection/);
    assert.match(out, /negativeKeepRate/);
    assert.match(out, /all negatives kept/);
    assert.match(out, /explicit/);
    assert.match(out, /not above chance: dropped/);
    assert.match(out, /not judged \(no single-tower model\)/);
    assert.match(out, /0\.7200/);
    assert.match(out, /fused \(visual \+ text\)/);
    assert.match(out, /0\.3800/, 'the all-tower fused model it replaced');
    assert.match(out, /tower:text alone reaches/);
  }
  assert.match(md, /exported model \| tower:text|exported model[^\n]*tower:text/);
  assert.match(md, /fusion beat the best single tower \(calibration weeks\)[^\n]*no/);
});
