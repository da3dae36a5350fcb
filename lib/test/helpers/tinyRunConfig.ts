import { join } from 'node:path';
import { parseConfig, type ExperimentConfig } from '../../src/config.js';

/**
 * The small experiment the pipeline-level tests run: the `tiny` simulation under `root`, two test
 * and two calibration weeks, two epochs, a short bootstrap. `extra` sets what a test varies.
 */
export function tinyRunConfig(name: string, root: string, extra: {
  variants: string[]; parityRows: number; latencyIterations: number; runsDir: string;
}): ExperimentConfig {
  return parseConfig({
    name,
    data: { path: join(root, 'data'), simulatePreset: 'tiny', seed: 1 },
    split: { testWeeks: 2, calibWeeks: 2, folds: 2, minFoldPositives: 3 },
    train: { epochs: 2, batchSize: 256, noise: 'none' },
    eval: { bootstrap: 20, minSlicePositives: 10 },
    compare: { variants: extra.variants, leakageDemo: false },
    serving: { parityRows: extra.parityRows, latencyIterations: extra.latencyIterations },
    runsDir: extra.runsDir,
  });
}
