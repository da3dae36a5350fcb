import { join } from 'node:path';
import { writeDirAtomic, writeJsonAtomic } from '../util/atomic.js';
import { writeVideoTable, writeTruthTable } from '../data/parquet.js';
import type { DatasetProfile } from '../data/profile.js';
import { simulate, type Simulation } from './generate.js';
import { getPreset, DEFAULT_KNOBS, type SimKnobs, type SimPreset } from './presets.js';
import { simulationProfile } from './profile.js';

export interface SimulatedDataset {
  dir: string;
  sim: Simulation;
  profile: DatasetProfile & { preset: string; seed: number; generation_s?: number };
  generationS: number;
  writeS: number;
}

/**
 * Simulate a preset and write the dataset folder (videos.parquet, truth.parquet, profile.json).
 * The folder is built under a temporary name and renamed into place, so a half-written dataset
 * never appears under `dir`.
 */
export async function simulateToDir(presetOrName: SimPreset | string, seed: number, dir: string, knobs: SimKnobs = DEFAULT_KNOBS): Promise<SimulatedDataset> {
  const preset = typeof presetOrName === 'string' ? getPreset(presetOrName) : presetOrName;
  const t0 = performance.now();
  const sim = simulate(preset, seed, knobs);
  const generationS = (performance.now() - t0) / 1000;
  const profile = { ...simulationProfile(sim), generation_s: Math.round(generationS * 10) / 10 };
  const t1 = performance.now();
  await writeDirAtomic(dir, async (tmp) => {
    await writeVideoTable(join(tmp, 'videos.parquet'), sim.table);
    await writeTruthTable(join(tmp, 'truth.parquet'), sim.truth);
    writeJsonAtomic(join(tmp, 'profile.json'), profile);
  });
  return { dir, sim, profile, generationS, writeS: (performance.now() - t1) / 1000 };
}
