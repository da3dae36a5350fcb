import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, totalmem, platform, arch } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { sha256File } from '../util/hash.js';
import type { Recipe } from '../model/recipe.js';

/** Packages whose versions decide whether a run reproduces. */
export const KEY_PACKAGES = [
  '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node',
  'onnxruntime-node', 'onnx-proto', 'apache-arrow', 'parquet-wasm', 'zod', 'vega', 'vega-lite', 'plotly.js-dist-min',
  'typescript',
];

export interface GitInfo {
  commit: string | null;
  /** True when tracked files differ from the commit (the run is not exactly reproducible from it). */
  dirty: boolean | null;
}

/** What buildManifest writes (schema: artifacts/manifest.ts; the run adds extractor, serving, towers). */
export interface Manifest {
  runId?: string;
  createdAt: string;
  config: RunConfigLike;
  configName: string | null;
  dataset: { path: string; fingerprint: string | null };
  split: { fingerprint: string | null };
  backend: string | null;
  git: GitInfo;
  versions: Record<string, string | null>;
  node: string;
  machine: { platform: string; arch: string; cpus: number; cpuModel: string; memoryBytes: number };
  /** Seconds per stage, in the order the stages ran. */
  timings: Record<string, number>;
  /** sha256 of every artifact file, by path relative to the run folder. */
  files: Record<string, string>;
  /** The training recipe the run used: each value, explicit or derived, and why. */
  recipe?: Recipe;
}

/** The experiment config as recorded: any JSON object, named or not. */
export interface RunConfigLike { name?: string }

export interface ManifestInput {
  runId?: string;
  config: RunConfigLike;
  datasetPath: string;
  datasetFingerprint?: string | null;
  splitFingerprint?: string | null;
  backend?: string | null;
  timings?: Record<string, number>;
  /** Folder holding the artifacts; every file in it (recursively) except manifest.json is hashed. */
  dir?: string;
  /** Restrict hashing to these files (paths relative to `dir`, or absolute). */
  files?: string[];
  recipe?: Recipe;
  /** Where to look for git and node_modules (default: the current directory). */
  cwd?: string;
  now?: Date;
}

/** The commit the code was built from; null outside a git checkout (a tarball install). */
export function gitInfo(cwd = process.cwd()): GitInfo {
  const run = (args: string[]): string | null => {
    try {
      return execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' }).trim();
    } catch {
      return null;
    }
  };
  const commit = run(['rev-parse', 'HEAD']);
  if (commit === null) return { commit: null, dirty: null };
  const status = run(['status', '--porcelain', '--untracked-files=no']);
  return { commit, dirty: status === null ? null : status.length > 0 };
}

/** Installed version of a package, found by walking up from `from` through node_modules folders. */
export function packageVersion(name: string, from = process.cwd()): string | null {
  let dir = resolve(from);
  for (;;) {
    const pj = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(pj)) {
      try {
        const v = JSON.parse(readFileSync(pj, 'utf8')).version;
        return typeof v === 'string' ? v : null;
      } catch {
        return null;
      }
    }
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out;
}

function configName(config: RunConfigLike): string | null {
  return typeof config.name === 'string' ? config.name : null;
}

/** Everything needed to reproduce a run and to verify its artifacts. */
export async function buildManifest(input: ManifestInput): Promise<Manifest> {
  const cwd = input.cwd ?? process.cwd();
  const versions: Record<string, string | null> = {};
  for (const p of KEY_PACKAGES) versions[p] = packageVersion(p, cwd);
  const files: Record<string, string> = {};
  if (input.dir) {
    const base = input.dir;
    const paths = input.files
      ? input.files.map((f) => resolve(base, f))
      : listFiles(base).filter((p) => relative(base, p) !== 'manifest.json');
    for (const p of paths) files[relative(base, p).split('\\').join('/')] = await sha256File(p);
  }
  const cpuList = cpus();
  return {
    runId: input.runId,
    createdAt: (input.now ?? new Date()).toISOString(),
    config: input.config,
    configName: configName(input.config),
    dataset: { path: input.datasetPath, fingerprint: input.datasetFingerprint ?? null },
    split: { fingerprint: input.splitFingerprint ?? null },
    backend: input.backend ?? null,
    git: gitInfo(cwd),
    versions,
    node: process.version,
    machine: {
      platform: platform(), arch: arch(), cpus: cpuList.length, cpuModel: cpuList[0]?.model ?? 'unknown',
      memoryBytes: totalmem(),
    },
    timings: input.timings ?? {},
    files,
    ...(input.recipe ? { recipe: input.recipe } : {}),
  };
}
