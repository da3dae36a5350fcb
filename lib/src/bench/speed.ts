import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExperimentConfig } from '../config.js';
import type { VideoTable } from '../data/table.js';
import { simulate } from '../simulate/generate.js';
import { PRESETS, getPreset } from '../simulate/presets.js';
import { nearDupScaling, type ScalingPoint } from '../split/scaling.js';
import { CALIB, PURGED, TRAIN, type SplitAssignment } from '../split/types.js';
import { fitPreprocessor, type FittedPreprocessor } from '../features/preprocess.js';
import { rowsOfSplit, trainFusion } from '../model/train.js';
import { resolveTrainConfig } from '../model/recipe.js';
import type { FusionWeights } from '../model/weights.js';
import { randomFusionWeights } from '../export/randomWeights.js';
import { writeServingBundle } from '../export/bundle.js';
import type { ReasonThresholds } from '../serve/reasonThresholds.js';
import { loadRunFolder } from '../serve/runFolder.js';
import { loadFittedPreprocessor } from '../serve/fittedPreprocessing.js';
import { measureLatency, syntheticRequest, type LatencyResult } from '../serve/latency.js';
import { measureHttpLoad, coresFor, type LoadResult } from '../serve/loadGen.js';
import { startServer, DEFAULT_MAX_IN_FLIGHT } from '../serve/server.js';
import { benchExtract, type ExtractBench } from '../extract/bench.js';
import { hasFfmpeg } from '../extract/ffmpeg.js';
import { createRng } from '../util/rng.js';
import { info } from '../util/progress.js';
import { machineInfo, type MachineInfo } from './machine.js';
import { prepareFit } from '../pipeline/fit.js';

/** A figure that could not be measured here says why instead of a number. */
export type Maybe<T> = { ok: true; value: T; machine: MachineInfo } | { ok: false; reason: string; machine: MachineInfo };

async function attempt<T>(label: string, f: () => Promise<T> | T): Promise<Maybe<T>> {
  info(`bench speed: ${label}`);
  try {
    const value = await f();
    return { ok: true, value, machine: machineInfo() };
  } catch (e) {
    const reason = (e as Error).message.split('\n')[0];
    info(`bench speed: ${label} skipped — ${reason}`);
    return { ok: false, reason, machine: machineInfo() };
  }
}

/** `rows`: training rows offered (the epoch downsamples negatives); `rowsPerSec`: rows actually trained per second. */
export interface BackendSpeed { backend: string; rows: number; seconds: number; rowsPerSec: number }

/**
 * Training throughput per TF.js backend: one epoch of the default fusion model over the first
 * `rows` training rows (no label-noise pass), so both backends do the same work.
 */
export async function trainingBackendSpeed(table: VideoTable, split: SplitAssignment, fitted: FittedPreprocessor,
  cfg: ExperimentConfig, backends: ('wasm' | 'cpu')[], rows: number): Promise<BackendSpeed[]> {
  const small: SplitAssignment = { ...split, split: split.split.slice() };
  let tr = 0, ca = 0;
  for (let i = 0; i < small.split.length; i++) {
    if (small.split[i] === TRAIN && ++tr > rows) small.split[i] = PURGED;
    if (small.split[i] === CALIB && ++ca > 1000) small.split[i] = PURGED;
  }
  // The recipe of the full training window (the batch size and downsampling a real run uses).
  const { train } = resolveTrainConfig(table, rowsOfSplit(split, TRAIN), cfg.train);
  const out: BackendSpeed[] = [];
  for (const backend of backends) {
    const t0 = performance.now();
    const r = await trainFusion(table, small, fitted, { model: cfg.model, train: { ...train, epochs: 1, noise: 'none', backend } }, { quiet: true });
    out.push({ backend: r.backend, rows: Math.min(tr, rows), seconds: (performance.now() - t0) / 1000, rowsPerSec: r.rowsPerSec });
  }
  return out;
}

export interface GenerationPoint { nVirtual: number; rows: number; seconds: number; rowsPerSec: number }

/** Simulator time at several stream sizes (in memory; writing Parquet is timed in the quality run). */
export function generationScaling(sizes: number[], seed: number): GenerationPoint[] {
  return sizes.map((nVirtual) => {
    const t0 = performance.now();
    const sim = simulate({ ...PRESETS.tiny, nVirtual }, seed);
    const seconds = (performance.now() - t0) / 1000;
    return { nVirtual, rows: sim.table.n, seconds, rowsPerSec: sim.table.n / seconds };
  });
}

export interface ServingSpeed {
  model: string;
  dims: { frame: number; audio: number };
  latency: LatencyResult[];
}

const POLICY = { block_threshold: 0.9, queue_threshold: 0.5, version: 'policy-bench' };
const REASONS: ReasonThresholds = {
  formatVersion: 1, tail: 0.01, modality: { meta: 0.5, visual: 0.5, audio: 0.5, text: 0.5 },
  positiveRate: { meta: null, visual: null, audio: null, text: null }, account: { priorStrikes: 1, newAccountDays: 30 },
};

/** A serving run folder for `weights` + the fitted preprocessing (Platt identity after the downsampling shift). */
export function benchRunFolder(weights: FusionWeights, fitted: FittedPreprocessor, negativeKeepRate: number, version: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-serve-'));
  writeServingBundle(dir, {
    weights, calibrator: { method: 'platt', shift: Math.log(negativeKeepRate), a: 1, b: 0 }, preprocessor: fitted,
    policy: POLICY, reasonThresholds: REASONS, modelVersion: version,
  });
  return dir;
}

/**
 * The production-sized case (512-d frames, 128-d audio): the simulator at those dimensions for a few
 * thousand rows, the real preprocessing fitted on them, and random weights at the default architecture
 * (latency does not depend on the weight values).
 */
export function wideModelFolder(cfg: ExperimentConfig, seed: number): { dir: string; fitted: FittedPreprocessor } {
  const sim = simulate({ ...PRESETS.tiny, nVirtual: 6000, weeks: 2, driftWeeks: 1, frameDim: 512, audioDim: 128 }, seed);
  const fitted = fitPreprocessor(sim.table, Array.from({ length: sim.table.n }, (_, i) => i), cfg.features);
  const weights = randomWeightsFor(cfg, fitted, seed);
  return { dir: benchRunFolder(weights, fitted, 1, 'bench-wide-random'), fitted };
}

export async function servingLatency(dir: string, model: string, frames: number[], iterations: number): Promise<ServingSpeed> {
  const { scorer } = await loadRunFolder(dir, { threads: 1, loadPreprocessor: loadFittedPreprocessor });
  try {
    const latency: LatencyResult[] = [];
    for (const f of frames) latency.push(await measureLatency(scorer, { frames: f, iterations, warmup: 20 }));
    return { model, dims: { frame: scorer.limits.frameDim, audio: scorer.limits.audioDim }, latency };
  } finally {
    await scorer.close();
  }
}

export interface HttpSpeed {
  model: string;
  dims: { frame: number; audio: number };
  encoding: 'json' | 'base64';
  frames: number;
  bodyBytes: number;
  /** Closed loop, 4 in flight: the most one server process answers. */
  max: LoadResult;
  /** Open loop at `rateUnderLoad` req/s: latency at a steady load. */
  atRate: LoadResult;
  rateUnderLoad: number;
  /** Cores for 12M uploads/day at 3× peak-to-mean, from `max.throughputPerS` per server process. */
  coresFor12M: number;
}

export async function servingHttp(dir: string, model: string, opts: { frames: number; durationS: number; rate: number }): Promise<HttpSpeed[]> {
  const running = await startServer(async () => (await loadRunFolder(dir, { threads: 1, loadPreprocessor: loadFittedPreprocessor })).scorer, { port: 0, host: '127.0.0.1', log: () => {} });
  await running.ready;
  try {
    const out: HttpSpeed[] = [];
    const dims = dimsOf(dir);
    for (const encoding of ['json', 'base64'] as const) {
      const body = JSON.stringify(syntheticRequest(dims.frame, dims.audio, opts.frames, Math.max(1, Math.round(opts.frames / 3)), 3, encoding === 'base64'));
      const max = await measureHttpLoad({ port: running.port, body, concurrency: 4, durationS: opts.durationS });
      const atRate = await measureHttpLoad({ port: running.port, body, ratePerS: opts.rate, concurrency: 64, durationS: opts.durationS });
      out.push({ model, dims, encoding, frames: opts.frames, bodyBytes: Buffer.byteLength(body), max, atRate, rateUnderLoad: opts.rate,
        coresFor12M: max.throughputPerS > 0 ? coresFor(12_000_000, max.throughputPerS) : NaN });
    }
    return out;
  } finally {
    await running.shutdown('bench done');
  }
}

export interface TailSpeed {
  model: string;
  frames: number;
  bodyBytes: number;
  /** The server's admission limit (scoring requests in flight before 503). */
  maxInFlight: number;
  /** Open loop at `rate` req/s for `durationS`: the latency tail at a steady load. */
  rate: number;
  durationS: number;
  atRate: LoadResult;
  /** Closed loop, 4 in flight: the most one server process answers (the sustainable rate). */
  sustainable: LoadResult;
  /** Open loop at `overloadFactor` × the sustainable rate: every request should get 200 or 503. */
  overloadFactor: number;
  overloadRate: number;
  overload: LoadResult;
}

/**
 * The latency tail and overload behaviour of one server process, with the load from a separate
 * process on loopback (the existing load generator): an open loop at `rate` req/s, then the
 * sustainable rate measured in a closed loop, then an open loop at `overloadFactor` × that.
 */
export async function servingTail(dir: string, model: string, opts: { frames: number; rate: number; durationS: number; probeS: number; overloadFactor: number; overloadS: number }): Promise<TailSpeed> {
  const running = await startServer(async () => (await loadRunFolder(dir, { threads: 1, loadPreprocessor: loadFittedPreprocessor })).scorer, { port: 0, host: '127.0.0.1', log: () => {} });
  await running.ready;
  try {
    const dims = dimsOf(dir);
    const body = JSON.stringify(syntheticRequest(dims.frame, dims.audio, opts.frames, Math.max(1, Math.round(opts.frames / 3)), 1, false));
    // A socket pool larger than the admission limit, so overload reaches the server instead of queueing in the client.
    const pool = 256;
    const atRate = await measureHttpLoad({ port: running.port, body, ratePerS: opts.rate, concurrency: pool, durationS: opts.durationS });
    const sustainable = await measureHttpLoad({ port: running.port, body, concurrency: 4, durationS: opts.probeS });
    const overloadRate = Math.max(1, Math.round(sustainable.throughputPerS * opts.overloadFactor));
    const overload = await measureHttpLoad({ port: running.port, body, ratePerS: overloadRate, concurrency: pool, durationS: opts.overloadS });
    return {
      model, frames: opts.frames, bodyBytes: Buffer.byteLength(body), maxInFlight: DEFAULT_MAX_IN_FLIGHT,
      rate: opts.rate, durationS: opts.durationS, atRate, sustainable, overloadFactor: opts.overloadFactor, overloadRate, overload,
    };
  } finally {
    await running.shutdown('bench done');
  }
}

/** Random weights of the configured architecture at the fitted preprocessing's dimensions. */
function randomWeightsFor(cfg: ExperimentConfig, fitted: FittedPreprocessor, seed: number): FusionWeights {
  const m = cfg.model;
  return randomFusionWeights({
    towers: m.towers, pooling: m.pooling as FusionWeights['config']['pooling'], fusion: m.fusion as FusionWeights['config']['fusion'],
    hidden: m.hidden, attentionDim: m.attentionDim, fusionHidden: m.fusionHidden,
    metaDim: fitted.dims.meta, frameDim: fitted.dims.frame, audioDim: fitted.dims.audio, textDim: fitted.dims.text,
  }, createRng(seed));
}

/** Random weights at the configured architecture with the fitted preprocessing's dimensions (latency does not depend on the values). */
function randomDefaultFolder(cfg: ExperimentConfig, fitted: FittedPreprocessor, seed: number): string {
  const weights = randomWeightsFor(cfg, fitted, seed);
  return benchRunFolder(weights, fitted, 1, 'bench-default-random');
}

/** Frame/audio dims of a bench run folder, from its fitted preprocessor. */
function dimsOf(dir: string): { frame: number; audio: number } {
  const p = JSON.parse(readFileSync(join(dir, 'preprocessor.json'), 'utf8')) as FittedPreprocessor;
  return { frame: p.dims.frame, audio: p.dims.audio };
}

export interface SpeedResult {
  machine: MachineInfo;
  trainingBackends: Maybe<BackendSpeed[]>;
  generation: Maybe<GenerationPoint[]>;
  /** Generating + writing the quality preset (from the quality run, when it ran). */
  presetGeneration?: { preset: string; rows: number; generationS: number; writeS: number };
  splitTotalS?: number;
  nearDupScaling: Maybe<ScalingPoint[]>;
  servingLatency: Maybe<ServingSpeed[]>;
  http: Maybe<HttpSpeed[]>;
  /** Absent in results written before the tail measurement existed. */
  tail?: Maybe<TailSpeed>;
  extraction: Maybe<ExtractBench>;
  endToEnd: Maybe<{ seconds: number; preset: string }>;
}

export interface SpeedInputs {
  cfg: ExperimentConfig;
  seed: number;
  preset: string;
  /** From the quality run; when absent a `tiny` dataset is simulated for the table-dependent parts. */
  table?: VideoTable;
  split?: SplitAssignment;
  fitted?: FittedPreprocessor;
  fusion?: FusionWeights;
  negativeKeepRate?: number;
  quick?: boolean;
}

export async function runSpeed(s: SpeedInputs): Promise<Omit<SpeedResult, 'presetGeneration' | 'splitTotalS' | 'endToEnd'>> {
  const machine = machineInfo();
  const quick = s.quick ?? false;
  let { table, split, fitted } = s;
  if (!table || !split || !fitted) {
    info('bench speed: simulating a tiny dataset for the table-dependent timings');
    table = simulate(getPreset('tiny'), s.seed).table;
    const prep = await prepareFit(table, s.cfg, { seed: s.seed, logPrefix: 'bench speed: ' });
    split = prep.split.assignment;
    fitted = prep.fitted;
  }
  const t = table, sp = split, f = fitted;
  const trainingBackends = await attempt('training rows/s, wasm vs cpu', () => trainingBackendSpeed(t, sp, f, s.cfg, ['wasm', 'cpu'], quick ? 1000 : 4000));
  const generation = await attempt('dataset generation at several sizes', () => generationScaling(quick ? [20_000, 40_000] : [40_000, 120_000, 400_000], s.seed));
  const nd = await attempt('near-duplicate clustering at several sizes', () => nearDupScaling(t, [Math.floor(t.n / 4), Math.floor(t.n / 2), t.n], s.cfg.split.nearDup, s.seed));
  const iterations = quick ? 40 : 200;
  const folders: { dir: string; model: string }[] = [];
  const servingLat = await attempt('in-process serving latency', async () => {
    const out: ServingSpeed[] = [];
    if (s.fusion) {
      const dir = benchRunFolder(s.fusion, f, s.negativeKeepRate ?? 1, 'bench-fusion');
      folders.push({ dir, model: 'trained fusion (default dims)' });
      out.push(await servingLatency(dir, 'trained fusion (default dims)', [18, 600], iterations));
    }
    const wide = wideModelFolder(s.cfg, s.seed);
    folders.push({ dir: wide.dir, model: 'random weights, 512-d frames / 128-d audio' });
    out.push(await servingLatency(wide.dir, 'random weights, 512-d frames / 128-d audio', [18, 600], iterations));
    return out;
  });
  const http = await attempt('HTTP latency and throughput', async () => {
    const out: HttpSpeed[] = [];
    for (const fo of folders) out.push(...(await servingHttp(fo.dir, fo.model, { frames: 18, durationS: quick ? 2 : 6, rate: 100 })));
    return out;
  });
  // The trained model's serving folder (when there is one) is reused for the tail measurement.
  const trained = s.fusion ? folders.find((fo) => fo.model === 'trained fusion (default dims)') : undefined;
  const tail = await attempt('HTTP tail at 500 req/s and overload at 4× the sustainable rate', () => measureTail(s, f, quick, undefined, trained));
  for (const fo of folders) rmSync(fo.dir, { recursive: true, force: true });
  const extraction = await attempt('feature extraction per 18-frame video', () => {
    if (!hasFfmpeg()) throw new Error('ffmpeg is not installed (apt-get install -y ffmpeg)');
    return benchExtract({ videoSeconds: 18, reps: quick ? 1 : 3 });
  });
  return { machine, trainingBackends, generation, nearDupScaling: nd, servingLatency: servingLat, http, tail, extraction };
}

/**
 * The tail measurement on the default-dimension model (the trained one when the quality run
 * produced it): 500 req/s for 30 s (5 s with --quick), overload for 10 s (3 s).
 */
export async function measureTail(s: Pick<SpeedInputs, 'cfg' | 'seed' | 'fusion' | 'negativeKeepRate'>, fitted: FittedPreprocessor, quick: boolean,
  durations?: { durationS: number; probeS: number; overloadS: number }, existing?: { dir: string; model: string }): Promise<TailSpeed> {
  const dir = existing?.dir ?? (s.fusion ? benchRunFolder(s.fusion, fitted, s.negativeKeepRate ?? 1, 'bench-fusion') : randomDefaultFolder(s.cfg, fitted, s.seed));
  const model = existing?.model ?? (s.fusion ? 'trained fusion (default dims)' : 'random weights (default dims)');
  const d = durations ?? (quick ? { durationS: 5, probeS: 2, overloadS: 3 } : { durationS: 30, probeS: 5, overloadS: 10 });
  try {
    return await servingTail(dir, model, { frames: 18, rate: 500, overloadFactor: 4, ...d });
  } finally {
    // A folder passed in belongs to the caller.
    if (!existing) rmSync(dir, { recursive: true, force: true });
  }
}
