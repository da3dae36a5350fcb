import { measureProfile, type DatasetProfile } from '../data/profile.js';
import type { Simulation } from './generate.js';

/** profile.json of a simulation: the generic measured profile plus what only the generator knows. */
export function simulationProfile(sim: Simulation): DatasetProfile & { preset: string; seed: number; generation_s?: number } {
  const newAccount = new Uint8Array(sim.table.n);
  for (let r = 0; r < sim.table.n; r++) newAccount[r] = sim.stream.accountAgeDays[sim.rowUpload[r]] < 30 ? 1 : 0;
  const p = measureProfile(sim.table, { truth: sim.truth, raterKappa: sim.raterKappa, newAccount });
  // the stream size is known exactly here (Σ weight only estimates it)
  return { preset: sim.preset.name, seed: sim.seed, ...p, n_virtual: sim.stream.n };
}
