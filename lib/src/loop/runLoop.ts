import { loopConfigSchema, type LoopConfig } from './config.js';
import { buildLoopSource } from './source.js';
import { simulateLoop } from './simulateLoop.js';
import type { LoopResult } from './schema.js';

/**
 * `vigil loop` as a library call: build the weeks (salted stream of the run's world, scored by the
 * serving scorer), then replay them once per routing strategy. Returns the validated-shape result;
 * `writeLoopFolder` puts it on disk.
 */
export async function runLoop(runDir: string, cfgInput: Partial<LoopConfig>, opts: { onProgress?: (msg: string) => void } = {}): Promise<LoopResult> {
  const cfg = loopConfigSchema.parse(cfgInput);
  const src = await buildLoopSource(runDir, cfg.weeks, { salt: `loop-${cfg.seed}`, onProgress: opts.onProgress });
  const timings: Record<string, number> = { ...src.timings };
  const strategies = cfg.strategies.map((s) => {
    const t0 = performance.now();
    opts.onProgress?.(`replaying ${cfg.weeks} weeks: ${s}`);
    const r = simulateLoop(src.world, src.run, cfg, s);
    timings[`loop_${s}_s`] = Math.round((performance.now() - t0) / 100) / 10;
    return r;
  });
  return {
    format: 1,
    run: { id: src.run.id, dir: src.run.dir, model_version: src.run.modelVersion, policy_version: src.run.policyVersion },
    source: src.source, config: cfg, strategies, timings,
  };
}
