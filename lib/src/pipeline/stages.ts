/**
 * Timing of the named stages of a run, in the order they ran (goes into the manifest and report).
 */
import { info } from '../util/progress.js';

export interface StageTimer {
  stage<T>(name: string, fn: () => Promise<T> | T): Promise<T>;
  timings: Record<string, number>;
}

/** `log` receives the ▶/✓ lines (default: the progress stream; a notebook passes its own callback). */
export function stageTimer(log: (line: string) => void = info): StageTimer {
  const timings: Record<string, number> = {};
  return {
    timings,
    async stage(name, fn) {
      const t0 = Date.now();
      log(`▶ ${name}`);
      const out = await fn();
      timings[name] = Math.round((Date.now() - t0) / 100) / 10;
      log(`✓ ${name} (${timings[name]}s)`);
      return out;
    },
  };
}
