/**
 * The dataset a run uses: an existing folder (real or simulated), or — when it is missing and the
 * config names a preset — a freshly simulated one. `truth.parquet` is loaded only for evaluation
 * against the simulator's ground truth; training never sees it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTruthTable, resolveVideosPath } from '../data/parquet.js';
import { loadVideoTableCached, primeTableCache } from '../data/cache.js';
import { measureProfile, type DatasetProfile } from '../data/profile.js';
import { simulateToDir } from '../simulate/write.js';
import { sha256, sha256File } from '../util/hash.js';
import { parquetParts } from '../data/arrow.js';
import type { VideoTable, TruthTable } from '../data/table.js';
import type { ExperimentConfig } from '../config.js';
import { VigilError } from '../util/errors.js';
import { info } from '../util/progress.js';

export interface LoadedDataset {
  path: string;
  table: VideoTable;
  truth: TruthTable | null;
  profile: DatasetProfile;
  /** sha256 over the Parquet parts' hashes. */
  fingerprint: string;
}

/** Make sure the dataset folder exists, simulating it when the config allows. Returns its path. */
export async function ensureDataset(data: ExperimentConfig['data']): Promise<string> {
  if (existsSync(data.path)) return data.path;
  if (!data.simulatePreset) {
    throw new VigilError(`dataset '${data.path}' does not exist (set data.simulatePreset to generate one)`, { field: 'data.path' });
  }
  info(`dataset '${data.path}' is missing: simulating preset '${data.simulatePreset}' (seed ${data.seed})`);
  const sim = await simulateToDir(data.simulatePreset, data.seed, data.path);
  primeTableCache(resolveVideosPath(data.path), sim.sim.table);
  return data.path;
}

export async function datasetFingerprint(path: string): Promise<string> {
  const parts = parquetParts(resolveVideosPath(path));
  const hashes = await Promise.all(parts.map((p) => sha256File(p)));
  return hashes.length === 1 ? hashes[0] : sha256(hashes.join('\n'));
}

export async function loadDataset(path: string): Promise<LoadedDataset> {
  const table = await loadVideoTableCached(path);
  const truthPath = join(path, 'truth.parquet');
  const truth = existsSync(truthPath) ? await readTruthTable(truthPath) : null;
  const profilePath = join(path, 'profile.json');
  const profile = existsSync(profilePath)
    ? (JSON.parse(readFileSync(profilePath, 'utf8')) as DatasetProfile)
    : measureProfile(table);
  return { path, table, truth, profile, fingerprint: await datasetFingerprint(path) };
}

/** Truth rows aligned with the table's rows (null where a video has no truth row). */
export function alignTruth(table: VideoTable, truth: TruthTable): { trueHarmful: Float64Array; oracleP: Float64Array } {
  const pos = new Map<string, number>();
  truth.videoId.forEach((id, i) => pos.set(id, i));
  const trueHarmful = new Float64Array(table.n).fill(NaN);
  const oracleP = new Float64Array(table.n).fill(NaN);
  for (let i = 0; i < table.n; i++) {
    const k = pos.get(table.videoId[i]);
    if (k !== undefined) { trueHarmful[i] = truth.trueHarmful[k]; oracleP[i] = truth.oracleP[k]; }
  }
  return { trueHarmful, oracleP };
}
