import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { writeDirAtomic } from '../util/atomic.js';
import { sha256 } from '../util/hash.js';
import { VigilError } from '../util/errors.js';
import { getMetric, type MetricsFile, type ValueCI } from './metricsFile.js';
import type { BootstrapFile } from './bootstrapFile.js';
import { readOptionalRunFile, readRunFile } from '../artifacts/runFiles.js';
import type { ManifestFile } from '../artifacts/manifest.js';
import type { PolicyFile } from '../artifacts/policy.js';

/** What a run folder holds, read back. Optional files are undefined when absent. */
export interface RunData {
  id: string;
  dir: string;
  manifest: ManifestFile;
  metrics: MetricsFile;
  policy?: PolicyFile;
  /** Per-resample metric values (see compare.ts) when the run wrote them. */
  bootstrap?: BootstrapFile;
}

export interface RunSummary {
  id: string;
  dir: string;
  createdAt: string;
  configName: string | null;
  n: number | null;
  positives: number | null;
  ap: ValueCI | null;
  recallAt2Fpr: ValueCI | null;
  top1Precision: ValueCI | null;
  feasible: boolean | null;
}

function slug(s: string): string {
  const t = s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return t || 'run';
}

/** JSON with sorted keys, so a config hashes the same whatever order its keys were written in. */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** `20261127-234501-default-3fa2b9c1`: sortable by time, readable by config, distinct by content. */
export function createRunId<C extends { name?: string }>(config: C, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const ts = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${ts}-${slug(config.name ?? 'run')}-${sha256(stableStringify(config)).slice(0, 8)}`;
}

/**
 * Build a run folder under a hidden temporary name and rename it into place only when `writer`
 * finishes: a run killed half way leaves at most a `.<id>.partial-*` folder, which listing ignores.
 * Returns the final folder path.
 */
export async function writeRunFolder(runsDir: string, runId: string, writer: (dir: string) => Promise<void> | void): Promise<string> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(runId)) {
    throw new VigilError(`run id '${runId}': use letters, digits, '.', '_' and '-' only`, { field: 'runId' });
  }
  const final = join(runsDir, runId);
  if (existsSync(final)) throw new VigilError(`run folder '${final}' already exists`, { field: 'runId' });
  await writeDirAtomic(final, writer);
  return final;
}

/** A folder is a complete run when it is not hidden and holds both manifest.json and metrics.json. */
export function isCompleteRun(dir: string): boolean {
  return !basename(dir).startsWith('.') && existsSync(join(dir, 'manifest.json')) && existsSync(join(dir, 'metrics.json'));
}

/**
 * Read a run folder. Fails naming the missing file when the folder is not a complete run, and the
 * file and field when one does not match its schema (artifacts/).
 */
export function readRun(dir: string): RunData {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new VigilError(`run folder '${dir}' does not exist`, { field: 'run' });
  for (const f of ['manifest.json', 'metrics.json']) {
    if (!existsSync(join(abs, f))) throw new VigilError(`run folder '${dir}' has no ${f} (incomplete run?)`, { field: f });
  }
  const manifest = readRunFile(abs, 'manifest.json');
  return {
    id: manifest.runId ?? basename(abs),
    dir: abs,
    manifest,
    metrics: readRunFile(abs, 'metrics.json'),
    policy: readOptionalRunFile(abs, 'policy.json'),
    bootstrap: readOptionalRunFile(abs, 'bootstrap.json'),
  };
}

/** Resolve a run argument: a folder path, or a run id under `runsDir`. */
export function resolveRunDir(arg: string, runsDir: string): string {
  if (existsSync(arg) && statSync(arg).isDirectory()) return arg;
  const under = join(runsDir, arg);
  if (existsSync(under)) return under;
  throw new VigilError(`run '${arg}' not found (neither a folder nor a run id under ${runsDir})`, { field: 'run' });
}

export function summarizeRun(run: RunData): RunSummary {
  const t = run.metrics.test;
  const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  return {
    id: run.id,
    dir: run.dir,
    createdAt: run.manifest.createdAt,
    configName: run.manifest.configName ?? null,
    n: num(t.n),
    positives: num(t.positives),
    ap: getMetric(t, 'ap') ?? null,
    recallAt2Fpr: getMetric(t, 'recall_at_fpr.0.02') ?? null,
    top1Precision: getMetric(t, 'precision_at_top.0.01') ?? null,
    feasible: typeof run.policy?.feasible === 'boolean' ? run.policy.feasible : null,
  };
}

/**
 * Every complete run under `runsDir`, oldest first. Hidden and partial folders are skipped; a
 * folder whose JSON is unreadable is skipped too (reported through `onSkip`) so one bad run
 * does not hide the others.
 */
export function listRuns(runsDir: string, onSkip?: (dir: string, why: string) => void): RunSummary[] {
  if (!existsSync(runsDir)) return [];
  const out: RunSummary[] = [];
  for (const e of readdirSync(runsDir).sort()) {
    const dir = join(runsDir, e);
    if (!statSync(dir).isDirectory() || !isCompleteRun(dir)) continue;
    try {
      out.push(summarizeRun(readRun(dir)));
    } catch (err) {
      onSkip?.(dir, (err as Error).message);
    }
  }
  return out.sort((a, b) => (a.createdAt === b.createdAt ? a.id.localeCompare(b.id) : a.createdAt.localeCompare(b.createdAt)));
}

/** The temporary name writeDirAtomic gives a folder being built: `.<id>.partial-<pid>-<ms>`. */
const PARTIAL_NAME = /^\..+\.partial-/;

/**
 * Whether `dir` is (or, through symlinks, points at) the temporary folder of a run that has not
 * been renamed into place: written by a run still in progress or left by one that was killed.
 * Its files may be any subset of a run's, even all of them with a consistent manifest.
 */
export function isPartialRunDir(dir: string): boolean {
  let real = resolve(dir);
  try { real = realpathSync(real); } catch { /* a missing folder is reported by the caller */ }
  return PARTIAL_NAME.test(basename(real)) || PARTIAL_NAME.test(basename(resolve(dir)));
}

/** Refuse a partial run folder, naming it and what to do instead. */
export function assertNotPartialRun(dir: string, command: string): void {
  if (!isPartialRunDir(dir)) return;
  throw new VigilError(
    `${command}: '${dir}' is the partial folder of an incomplete run (interrupted, or still being written) — ` +
    "refusing it; use a complete run folder (listed by 'vigil runs'; 'vigil runs --clean' removes interrupted ones)",
    { field: 'run' },
  );
}

/** Hidden `.<id>.partial-*` folders left by runs that were killed before completing. */
export function listPartialRuns(runsDir: string): string[] {
  if (!existsSync(runsDir)) return [];
  return readdirSync(runsDir).filter((e) => PARTIAL_NAME.test(e) && statSync(join(runsDir, e)).isDirectory()).sort().map((e) => join(runsDir, e));
}

/** Whether the process that is building a partial folder is still running (then it is not abandoned). */
export function partialRunAlive(partialDir: string): boolean {
  const m = /\.partial-(\d+)-/.exec(basename(partialDir));
  if (!m) return false;
  try {
    process.kill(Number(m[1]), 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
