import { join } from 'node:path';
import { writeDirAtomic, writeJsonAtomic } from '../util/atomic.js';
import { writeVideoTable, writeTruthTable } from '../data/parquet.js';
import type { DatasetProfile } from '../data/profile.js';
import { simulate, type Simulation } from './generate.js';
import { getPreset, DEFAULT_KNOBS, type SimKnobs, type SimPreset } from './presets.js';
import { simulationProfile } from './profile.js';
import { knobChanges } from './variants.js';
import { DETECTOR_FILE, writeDetectorTable } from './detectorFile.js';

export interface SimulatedDataset {
  dir: string;
  sim: Simulation;
  profile: DatasetProfile & { preset: string; seed: number; generation_s?: number; variant?: string; knobs?: Partial<SimKnobs> };
  generationS: number;
  writeS: number;
}

/**
 * Simulate a preset and write the dataset folder (videos.parquet, truth.parquet, profile.json, and
 * detector.parquet for the faint-segment variant). The folder is built under a temporary name and
 * renamed into place, so a half-written dataset never appears under `dir`. A variant dataset's
 * profile.json names the variant and the knobs that differ from the default world. `partitionBy: 'week'`
 * writes videos.parquet Hive-partitioned by upload week (`week=YYYY-MM-DD/part-*.parquet`).
 */
export async function simulateToDir(presetOrName: SimPreset | string, seed: number, dir: string, knobs: SimKnobs = DEFAULT_KNOBS, variant?: string, opts: { partitionBy?: 'week'; partRows?: number } = {}): Promise<SimulatedDataset> {
  const preset = typeof presetOrName === 'string' ? getPreset(presetOrName) : presetOrName;
  const t0 = performance.now();
  const sim = simulate(preset, seed, knobs);
  const generationS = (performance.now() - t0) / 1000;
  const changed = knobChanges(knobs);
  const custom = Object.keys(changed).length > 0 || (variant !== undefined && variant !== 'none');
  const profile = { ...simulationProfile(sim), generation_s: Math.round(generationS * 10) / 10, ...(custom ? { variant: variant ?? 'custom', knobs: changed } : {}) };
  const t1 = performance.now();
  await writeDirAtomic(dir, async (tmp) => {
    await writeVideoTable(join(tmp, 'videos.parquet'), sim.table, { partitionBy: opts.partitionBy, partRows: opts.partRows });
    await writeTruthTable(join(tmp, 'truth.parquet'), sim.truth);
    writeJsonAtomic(join(tmp, 'profile.json'), profile);
    if (sim.detector) writeDetectorTable(join(tmp, DETECTOR_FILE), { videoId: sim.table.videoId, ...sim.detector });
  });
  return { dir, sim, profile, generationS, writeS: (performance.now() - t1) / 1000 };
}
