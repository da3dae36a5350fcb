import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VigilError } from '../util/errors.js';
import { MS_PER_WEEK } from '../data/table.js';
import { simulate } from '../simulate/generate.js';
import { getPreset, DEFAULT_KNOBS, SIM_START_MS } from '../simulate/presets.js';
import { loadRunFolder } from '../serve/runFolder.js';
import { loadFittedPreprocessor } from '../serve/fittedPreprocessing.js';
import { loadKnownContent } from '../serve/knownContent.js';
import { tableRowToVideo } from '../serve/request.js';
import type { ScoreResponse } from '../serve/scorer.js';
import { preprocessorFromJSON } from '../features/preprocess.js';
import { pooledFeatures, pooledNames } from '../features/pooled.js';
import { assertNotPartialRun } from '../runs/runFolder.js';
import type { LoopWorld } from './world.js';

/** What the loop replays and through which model: the salted stream and the run's serving bundle. */
export interface LoopSource {
  world: LoopWorld;
  run: { id: string; dir: string; modelVersion: string; policyVersion: string; queueThreshold: number; blockThreshold: number; blockEnabled: boolean };
  source: { preset: string; seed: number; salt: string; start: string; world_weeks: number[]; rows: number; uploads: number };
  timings: Record<string, number>;
}

/** The dataset a run was trained on must be the simulator's: the loop needs its ground truth. */
export function simulatedDataOf(runDir: string): { preset: string; seed: number } {
  const mPath = join(runDir, 'manifest.json');
  if (!existsSync(mPath)) throw new VigilError(`vigil loop: '${runDir}' is not a run folder (no manifest.json)`, { field: 'RUN' });
  const m = JSON.parse(readFileSync(mPath, 'utf8')) as { config?: { data?: { simulatePreset?: unknown; seed?: unknown; variant?: unknown; knobs?: unknown } } };
  const d = m.config?.data;
  if (typeof d?.simulatePreset !== 'string' || typeof d.seed !== 'number') {
    throw new VigilError(`vigil loop: run '${runDir}' was not trained on a simulated dataset (manifest config.data.simulatePreset/seed missing); the loop needs the simulator's ground truth`, { field: 'RUN' });
  }
  return { preset: d.simulatePreset, seed: d.seed };
}

/** Priority multiplier from what the queue can see about the creator: prior strikes, then a new or unknown account. */
export function creatorTier(priorStrikes: number, accountAgeDays: number): number {
  if (priorStrikes > 0) return 2;
  if (!(accountAgeDays >= 30)) return 1.5;
  return 1;
}

/**
 * Severity hint from the served reason codes. Vigil has no category head, so triage cannot know
 * the harm category; which tower fired is the observable proxy (child-safety harm is almost always
 * visual; known content is already confirmed harm).
 */
export function severityHint(r: ScoreResponse): number {
  let s = 1;
  for (const c of r.reason_codes) {
    if (c.code === 'KNOWN_CONTENT' || c.code === 'VISUAL_HIGH') s = Math.max(s, 2);
    else if (c.code === 'TRANSCRIPT_HIGH' || c.code === 'AUDIO_HIGH') s = Math.max(s, 1.5);
    else if (c.code === 'ACCOUNT_RISK') s = Math.max(s, 1.2);
  }
  return s;
}

const logit = (p: number) => { const q = Math.min(1 - 1e-6, Math.max(1e-6, p)); return Math.log(q / (1 - q)); };

/**
 * Build the loop's weeks for a run. The uploads come from the run's simulated world (same seed:
 * the harm directions and vocabularies the model learned) with a salted stream — new creators,
 * new content, new uploads, so no training row, creator or content item reappears — whose last
 * `weeks` weeks are moved on the calendar to follow the run's dataset. Every upload is scored by
 * the serving scorer loaded exactly as `vigil serve` loads the run folder.
 */
export async function buildLoopSource(runDir: string, weeks: number, opts: { salt?: string; onProgress?: (msg: string) => void } = {}): Promise<LoopSource> {
  assertNotPartialRun(runDir, 'vigil loop');
  const { preset: presetName, seed } = simulatedDataOf(runDir);
  const preset = getPreset(presetName);
  if (weeks > preset.weeks) throw new VigilError(`--weeks: the '${presetName}' world has ${preset.weeks} weeks, got ${weeks}`, { field: 'weeks' });
  const timings: Record<string, number> = {};
  let t0 = performance.now();
  const lap = (k: string) => { const t = performance.now(); timings[k] = Math.round((t - t0) / 100) / 10; t0 = t; };

  const salt = opts.salt ?? 'loop-1';
  // World week (W − weeks) starts where the run's dataset ended.
  const worldStart = SIM_START_MS + weeks * MS_PER_WEEK;
  const loopStart = SIM_START_MS + preset.weeks * MS_PER_WEEK;
  opts.onProgress?.(`simulating the ${presetName} world (seed ${seed}, stream '${salt}')`);
  const sim = simulate(preset, seed, DEFAULT_KNOBS, { salt, startMs: worldStart });
  lap('simulate_s');
  const t = sim.table;
  const picked: number[] = [];
  for (let i = 0; i < t.n; i++) if (t.uploadTs[i] >= loopStart) picked.push(i);
  picked.sort((a, b) => t.uploadTs[a] - t.uploadTs[b] || a - b);
  const n = picked.length;

  // The preprocessor JSON the loader verified against the manifest is kept for the retrain features.
  let preprocessorJson: unknown;
  const loaded = await loadRunFolder(runDir, { loadPreprocessor: (j) => { preprocessorJson = j; return loadFittedPreprocessor(j); }, loadKnownContent });
  const scorer = loaded.scorer;
  const baseRisk = new Float64Array(n), hint = new Float64Array(n);
  try {
    const B = 256;
    for (let s = 0; s < n; s += B) {
      const idx = picked.slice(s, s + B);
      const res = await scorer.scoreVideos(idx.map((i) => tableRowToVideo(t, i)));
      res.forEach((r, k) => { baseRisk[s + k] = r.risk_score; hint[s + k] = severityHint(r); });
      if ((s / B) % 20 === 0) opts.onProgress?.(`scored ${Math.min(n, s + B)}/${n} uploads`);
    }
  } finally {
    await scorer.close();
  }
  lap('score_s');

  // Retrain features: the served logit, then the pooled features without the wide TF-IDF block
  // (the stacked linear text score stays): a few hundred labels a week cannot fit 2,000 term weights.
  const fitted = preprocessorFromJSON(preprocessorJson);
  const names = pooledNames(fitted);
  const keep = names.map((nm, j) => (nm.startsWith('text=') ? -1 : j)).filter((j) => j >= 0);
  const d = keep.length + 1;
  const X = new Float32Array(n * d);
  const chunk = 1024;
  for (let s = 0; s < n; s += chunk) {
    const idx = picked.slice(s, s + chunk);
    const pm = pooledFeatures(fitted, t, idx);
    for (let k = 0; k < idx.length; k++) {
      const o = (s + k) * d;
      X[o] = logit(baseRisk[s + k]);
      for (let j = 0; j < keep.length; j++) X[o + 1 + j] = pm.X[k * pm.d + keep[j]];
    }
  }
  lap('features_s');

  const week = new Int32Array(n), weight = new Float64Array(n), tier = new Float64Array(n), q = new Float64Array(n);
  const trueHarmful = new Int8Array(n), reactive = new Float64Array(n), uploadTs = new Float64Array(n);
  const videoId: string[] = [], creatorId: string[] = [], category: string[] = [];
  const worldWeeks = new Set<number>();
  for (let k = 0; k < n; k++) {
    const i = picked[k];
    uploadTs[k] = t.uploadTs[i];
    week[k] = Math.min(weeks - 1, Math.floor((t.uploadTs[i] - loopStart) / MS_PER_WEEK));
    worldWeeks.add(preset.weeks - weeks + week[k]);
    weight[k] = t.weight[i];
    tier[k] = creatorTier(t.priorStrikes[i], t.accountAgeDays[i]);
    videoId.push(t.videoId[i]); creatorId.push(t.creatorId[i]);
    trueHarmful[k] = sim.truth.trueHarmful[i]; category.push(sim.truth.category[i]); q[k] = sim.truth.oracleP[i];
    reactive[k] = sim.stream.removalTs[sim.rowUpload[i]];
  }
  const world: LoopWorld = {
    n, weeks, startMs: loopStart, videoId, creatorId, week, uploadTs, weight, creatorTier: tier, baseRisk, severityHint: hint,
    features: { d, X, names: ['served_logit', ...keep.map((j) => names[j])] },
    trueHarmful, category, q, reactiveRemovalTs: reactive,
  };
  const policy = loaded.scorer.policy;
  return {
    world,
    run: {
      id: loaded.manifest.modelVersion, dir: runDir, modelVersion: loaded.manifest.modelVersion, policyVersion: policy.version,
      queueThreshold: policy.queueThreshold, blockThreshold: policy.blockThreshold, blockEnabled: policy.blockEnabled,
    },
    source: {
      preset: presetName, seed, salt, start: new Date(loopStart).toISOString(), world_weeks: [...worldWeeks].sort((a, b) => a - b),
      rows: n, uploads: weight.reduce((s, w) => s + w, 0),
    },
    timings,
  };
}

