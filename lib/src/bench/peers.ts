import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readFloat32LE } from './featureExport.js';
import { VigilError } from '../util/errors.js';

/**
 * Runs a peer model script (bench/peers/*.py) with Debian's Python on an exported feature folder.
 * A missing interpreter or package is a *skip* with a message saying what to install, not a failure:
 * the bench still produces every other figure.
 */
export const DEFAULT_PYTHON = '/usr/bin/python3';
/** Exit status the peer scripts use for "a package is missing" (bench/peers/_common.py). */
export const PEER_SKIP_EXIT = 3;

export type PeerResult =
  | { status: 'ok'; name: string; scores: Float32Array; trainSeconds: number; wallSeconds: number; info: Record<string, unknown> }
  | { status: 'skipped' | 'failed'; name: string; reason: string; wallSeconds: number };

export interface PeerRunOptions {
  python?: string;
  /** Extra environment (e.g. PYTHONPATH in tests). */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Extra command-line arguments after EXPORT_DIR OUT_DIR (e.g. ['--rounds', '500'] for xgb.py). */
  args?: string[];
}

/** The repository's bench/peers folder, found by walking up from the compiled module. */
export function peersDir(): string {
  let dir = __dirname;
  for (let k = 0; k < 8; k++) {
    const cand = join(dir, 'bench', 'peers');
    if (existsSync(join(cand, '_common.py'))) return cand;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new VigilError(`bench/peers not found above ${__dirname}`, { field: 'bench/peers' });
}

/** The SKIP line a peer printed, else the last lines of its stderr. */
function explain(stderr: string): string {
  const skip = stderr.split('\n').find((l) => l.startsWith('SKIP: '));
  if (skip) return skip.slice(6).trim();
  return stderr.trim().split('\n').slice(-6).join('\n') || '(no output)';
}

export function runPeer(name: string, script: string, exportDir: string, outDir: string, opts: PeerRunOptions = {}): Promise<PeerResult> {
  const python = opts.python ?? DEFAULT_PYTHON;
  const t0 = performance.now();
  const wall = () => (performance.now() - t0) / 1000;
  if (!existsSync(python)) {
    return Promise.resolve({ status: 'skipped', name, wallSeconds: 0, reason: `Python not found at ${python} (install it with: apt-get install -y python3)` });
  }
  if (!existsSync(script)) throw new VigilError(`peer '${name}': script ${script} does not exist`, { field: 'script' });
  return new Promise((resolvePromise) => {
    const child = spawn(python, [resolve(script), resolve(exportDir), resolve(outDir), ...(opts.args ?? [])], {
      env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; if (stderr.length > 1e6) stderr = stderr.slice(-1e5); });
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      resolvePromise({ status: 'skipped', name, wallSeconds: wall(), reason: `cannot start ${python}: ${e.message}` });
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (code === PEER_SKIP_EXIT) return resolvePromise({ status: 'skipped', name, wallSeconds: wall(), reason: explain(stderr) });
      if (code !== 0) {
        const why = signal ? `killed by ${signal}${opts.timeoutMs ? ` (timeout ${opts.timeoutMs / 1000} s)` : ''}` : `exit ${code}`;
        return resolvePromise({ status: 'failed', name, wallSeconds: wall(), reason: `${why}: ${explain(stderr || stdout)}` });
      }
      try {
        const info = JSON.parse(readFileSync(join(outDir, 'result.json'), 'utf8')) as Record<string, unknown>;
        const scores = readFloat32LE(join(outDir, 'scores.f32'));
        if (info.n_test !== scores.length) throw new Error(`result.json says ${String(info.n_test)} test rows, scores.f32 holds ${scores.length}`);
        resolvePromise({ status: 'ok', name, scores, trainSeconds: Number(info.train_seconds), wallSeconds: wall(), info });
      } catch (e) {
        resolvePromise({ status: 'failed', name, wallSeconds: wall(), reason: `unreadable output: ${(e as Error).message}` });
      }
    });
  });
}
