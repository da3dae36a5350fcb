import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { peersDir } from './peers.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExperimentConfig } from '../config.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.js';
import { VigilError } from '../util/errors.js';
import { info } from '../util/progress.js';
import { machineInfo } from './machine.js';
import { runQuality, type QualityResult } from './quality.js';
import { runRealCorpus } from './realCorpus.js';
import { runSimVariants, variantPresetFor } from './simVariants.js';
import { runSpeed, type Maybe, type SpeedResult } from './speed.js';
import { benchMarkdown, type BenchResult } from './report.js';

/** The sections `vigil bench --only` can pick. */
export const BENCH_SECTIONS = ['quality', 'real', 'variants', 'speed', 'e2e'] as const;
export type BenchSection = (typeof BENCH_SECTIONS)[number];

export interface BenchOptions {
  preset: string;
  seed: number;
  cfg: ExperimentConfig;
  sections: BenchSection[];
  /** Results folder (bench/results). */
  outDir: string;
  python?: string;
  peers?: boolean;
  /** In-repo variants for the quality table (model/compare.ts names). */
  variants?: string[];
  /** Simulator variants for the `variants` section (default BENCH_SIM_VARIANTS). */
  simVariants?: string[];
  /** Preset of the `variants` section (default: `default`, or `tiny` when the quality preset is tiny). */
  variantPreset?: string;
  /** Shorter speed runs (fewer repetitions) for a quick look. */
  quick?: boolean;
  /** Keep the scratch folder (dataset, exported features, peer outputs) here instead of a removed temp folder. */
  workDir?: string;
  command: string;
  /**
   * Entry point of a CLI that has `vigil start`, for the end-to-end timing (the caller knows its
   * commands; the bench stage does not import the CLI above it).
   */
  cliMain?: string;
  e2eTimeoutS?: number;
}

export function parseSections(raw: string | undefined): BenchSection[] {
  if (raw === undefined || raw === '') return [...BENCH_SECTIONS];
  const out = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const s of out) {
    if (!(BENCH_SECTIONS as readonly string[]).includes(s)) throw new VigilError(`--only: unknown section '${s}' (known: ${BENCH_SECTIONS.join(', ')})`, { field: 'only' });
  }
  return out as BenchSection[];
}

/** `<date>.json` for the bench preset, `<date>-<preset>.json` otherwise (a quick run does not overwrite it). */
export function resultName(date: string, preset: string): string {
  return preset === 'bench' ? date : `${date}-${preset}`;
}

/**
 * `vigil start` (what `npm start` runs) in an empty folder, timed from the outside: simulating its
 * dataset, split, training, calibration, policy, export and report, as a user would see it.
 */
export function timeEndToEnd(cliMain: string, timeoutS: number): Promise<{ seconds: number; preset: string }> {
  return new Promise((resolve, reject) => {
    const cwd = mkdtempSync(join(tmpdir(), 'vigil-bench-e2e-'));
    // Like a fresh clone: the repository's experiment configs, no dataset, no runs.
    const configs = join(repoRoot(), 'experiments');
    if (existsSync(configs)) {
      mkdirSync(join(cwd, 'experiments'));
      for (const f of readdirSync(configs)) if (f.endsWith('.json')) copyFileSync(join(configs, f), join(cwd, 'experiments', f));
    }
    const t0 = performance.now();
    const child = spawn(process.execPath, [cliMain, 'start'], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    // The pipeline's own stage progress, passed through so a long run is visibly alive.
    child.stderr.on('data', (c) => { err = (err + c).slice(-4000); if (process.env.VIGIL_QUIET !== '1') process.stderr.write(c); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutS * 1000);
    child.on('error', (e) => { clearTimeout(timer); rmSync(cwd, { recursive: true, force: true }); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      rmSync(cwd, { recursive: true, force: true });
      if (code === 0) resolve({ seconds: (performance.now() - t0) / 1000, preset: 'default' });
      else reject(new Error(`vigil start ${signal ? `killed by ${signal} after ${Math.round((performance.now() - t0) / 1000)} s (limit ${timeoutS} s)` : `exited ${code}`}: ${err.trim().split('\n').slice(-3).join(' / ')}`));
    });
  });
}

export async function runBench(o: BenchOptions): Promise<{ result: BenchResult; jsonPath: string; mdPath: string; markdown: string }> {
  const t0 = performance.now();
  const machine = machineInfo();
  const date = new Date().toISOString().slice(0, 10);
  const scratch = o.workDir ?? mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  const result: BenchResult = { version: 1, date, command: o.command, preset: o.preset, seed: o.seed, machine, durationS: 0 };
  try {
    let q: QualityResult | undefined;
    if (o.sections.includes('quality')) {
      q = await runQuality({ preset: o.preset, seed: o.seed, cfg: o.cfg, workDir: scratch, python: o.python, peers: o.peers, variants: o.variants });
      const { artifacts: _a, ...plain } = q;
      result.quality = plain;
    }
    if (o.sections.includes('real')) {
      result.real = await runRealCorpus({ cfg: o.cfg, workDir: join(scratch, 'real'), python: o.python, peers: o.peers });
    }
    if (o.sections.includes('variants')) {
      const preset = o.variantPreset ?? variantPresetFor(o.preset);
      result.variants = await runSimVariants({ preset, seed: o.seed, cfg: o.cfg, workDir: scratch, variants: o.simVariants });
    }
    let speed: SpeedResult | undefined;
    if (o.sections.includes('speed')) {
      const a = q?.artifacts;
      const s = await runSpeed({ cfg: o.cfg, seed: o.seed, preset: o.preset, quick: o.quick, table: a?.table, split: a?.split.assignment, fitted: a?.fitted, fusion: a?.fusion, negativeKeepRate: a?.negativeKeepRate });
      speed = { ...s, endToEnd: { ok: false, reason: 'not requested (--only)', machine: machineInfo() } };
      if (q) {
        speed.presetGeneration = { preset: q.preset, rows: q.rows.total, generationS: q.timings.generationS, writeS: q.timings.writeS };
        speed.splitTotalS = q.timings.splitS;
      }
    }
    if (o.sections.includes('e2e')) {
      let e2e: Maybe<{ seconds: number; preset: string }>;
      if (!o.cliMain) e2e = { ok: false, reason: 'this build has no `vigil start` command (the end-to-end pipeline)', machine: machineInfo() };
      else {
        info('bench: timing `vigil start` end to end in an empty folder');
        try { e2e = { ok: true, value: await timeEndToEnd(o.cliMain, o.e2eTimeoutS ?? 1800), machine: machineInfo() }; } catch (e) {
          e2e = { ok: false, reason: (e as Error).message, machine: machineInfo() };
        }
      }
      speed = speed ?? ({ machine: machineInfo() } as SpeedResult);
      speed.endToEnd = e2e;
    }
    result.speed = speed;
  } finally {
    if (!o.workDir) rmSync(scratch, { recursive: true, force: true });
  }
  result.durationS = (performance.now() - t0) / 1000;
  const name = resultName(date, o.preset);
  const jsonPath = join(o.outDir, `${name}.json`), mdPath = join(o.outDir, `${name}.md`);
  const markdown = benchMarkdown(result);
  writeJsonAtomic(jsonPath, result);
  writeFileAtomic(mdPath, markdown);
  return { result, jsonPath, mdPath, markdown };
}

/** The repository root (the folder holding bench/peers). */
function repoRoot(): string {
  return dirname(dirname(peersDir()));
}

