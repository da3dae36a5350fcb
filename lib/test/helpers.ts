/** True when any number anywhere inside `v` is NaN (JSON.stringify would hide it as null). */
export function containsNaN(v: unknown): boolean {
  if (typeof v === 'number') return Number.isNaN(v);
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Array.from(v as ArrayLike<unknown>).some(containsNaN);
  if (v && typeof v === 'object') return Object.values(v).some(containsNaN);
  return false;
}

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's interpreter, where python3-sklearn lives (a `python3` on PATH may be another one). */
export const DEBIAN_PYTHON = '/usr/bin/python3';

export function sklearnAvailable(): boolean {
  if (!existsSync(DEBIAN_PYTHON)) return false;
  return spawnSync(DEBIAN_PYTHON, ['-c', 'import sklearn'], { encoding: 'utf8' }).status === 0;
}

export const SKLEARN_SKIP = 'scikit-learn not found under /usr/bin/python3 (apt-get install -y python3-sklearn)';

/** Runs a Python script with `input` as JSON on stdin and parses the JSON it prints. */
export function runPythonJson(script: string, input: unknown): Record<string, unknown> {
  const r = spawnSync(DEBIAN_PYTHON, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
