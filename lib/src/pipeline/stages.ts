/**
 * Timing of the named stages of a run, in the order they ran (goes into the manifest and report).
 */
import { info } from '../util/progress.js';

export interface StageTimer {
  stage<T>(name: string, fn: () => Promise<T> | T): Promise<T>;
  timings: Record<string, number>;
}

export function stageTimer(): StageTimer {
  const timings: Record<string, number> = {};
  return {
    timings,
    async stage(name, fn) {
      const t0 = Date.now();
      info(`▶ ${name}`);
      const out = await fn();
      timings[name] = Math.round((Date.now() - t0) / 100) / 10;
      info(`✓ ${name} (${timings[name]}s)`);
      return out;
    },
  };
}
