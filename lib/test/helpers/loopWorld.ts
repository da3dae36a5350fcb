import { createRng } from '../../src/util/rng.js';
import type { LoopWorld } from '../../src/loop/world.js';

const MS_PER_WEEK = 7 * 86_400_000;

/**
 * A small synthetic loop world: `perWeek` stored rows a week over `weeks` weeks, ~4% harmful
 * (kept with weight 1), negatives standing for 4 uploads each, a served risk that ranks harmful
 * rows higher with noise, and two features (the served logit and a noisy copy of the label).
 */
export function syntheticWorld(opts: { weeks?: number; perWeek?: number; seed?: number } = {}): LoopWorld {
  const weeks = opts.weeks ?? 3, perWeek = opts.perWeek ?? 400;
  const rng = createRng(opts.seed ?? 5);
  const n = weeks * perWeek;
  const startMs = Date.UTC(2026, 8, 21);
  const cats = ['csam', 'graphic_violence', 'self_harm', 'extremism'];
  const w: LoopWorld = {
    n, weeks, startMs, videoId: [], creatorId: [], week: new Int32Array(n), uploadTs: new Float64Array(n), weight: new Float64Array(n),
    creatorTier: new Float64Array(n), baseRisk: new Float64Array(n), severityHint: new Float64Array(n),
    features: { d: 2, X: new Float32Array(n * 2), names: ['served_logit', 'signal'] },
    trueHarmful: new Int8Array(n), category: [], q: new Float64Array(n), reactiveRemovalTs: new Float64Array(n).fill(NaN),
  };
  for (let i = 0; i < n; i++) {
    const k = Math.floor(i / perWeek);
    const y = rng.next() < 0.04 ? 1 : 0;
    w.videoId.push(`v${i}`); w.creatorId.push(`c${rng.int(n / 3)}`);
    w.week[i] = k;
    w.uploadTs[i] = startMs + k * MS_PER_WEEK + rng.next() * MS_PER_WEEK;
    w.weight[i] = y ? 1 : 4;
    w.creatorTier[i] = rng.next() < 0.2 ? 1.5 : 1;
    const z = (y ? 1.5 : -2.5) + rng.normal();
    w.baseRisk[i] = 1 / (1 + Math.exp(-z));
    w.severityHint[i] = 1;
    w.features.X[2 * i] = z; w.features.X[2 * i + 1] = y + 0.8 * rng.normal();
    w.trueHarmful[i] = y;
    w.category.push(y ? cats[rng.int(4)] : 'none');
    w.q[i] = y ? 0.6 + 0.39 * rng.next() : 0.001;
    if (y && rng.next() < 0.5) w.reactiveRemovalTs[i] = w.uploadTs[i] + 6 * 3_600_000;
  }
  return w;
}
