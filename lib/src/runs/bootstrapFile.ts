import { sha256 } from '../util/hash.js';
import type { BootstrapFile } from '../artifacts/bootstrap.js';

/**
 * `bootstrap.json` (schema: artifacts/bootstrap.ts): the metric value on every bootstrap resample of
 * the test window, for the test block and each slice. Two runs that resampled the same test groups
 * with the same seed (equal `sampleKey`) can be compared resample by resample, which gives the CI of
 * the paired difference instead of two independent intervals (runs/compare.ts).
 */
export type { BootstrapFile };

/** The key that says two bootstrap.json files resampled the same test groups the same way. */
export function bootstrapSampleKey(testVideoIds: readonly string[], groupIds: ArrayLike<number | string>, seed: number, resamples: number): string {
  const parts: string[] = [String(seed), String(resamples)];
  for (let i = 0; i < testVideoIds.length; i++) parts.push(`${testVideoIds[i]}:${groupIds[i]}`);
  return sha256(parts.join('\n')).slice(0, 16);
}

const round = (x: number): number | null => (Number.isFinite(x) ? Number(x.toPrecision(7)) : null);

/** bootstrap.json content from the draws of the test block and its slices (eval/testSet.ts). */
export function buildBootstrapFile(
  draws: { test: Record<string, Float64Array>; slices: Record<string, Record<string, Float64Array>> },
  key: { testVideoIds: readonly string[]; groupIds: ArrayLike<number | string>; seed: number; resamples: number },
): BootstrapFile {
  const block = (d: Record<string, Float64Array>) => Object.fromEntries(Object.entries(d).map(([m, v]) => [m, Array.from(v, round)]));
  const blocks: BootstrapFile['blocks'] = { test: block(draws.test) };
  for (const [name, d] of Object.entries(draws.slices)) blocks[`slice:${name}`] = block(d);
  return { sampleKey: bootstrapSampleKey(key.testVideoIds, key.groupIds, key.seed, key.resamples), resamples: key.resamples, blocks };
}

/** One metric's resample values as numbers (NaN where a resample left it undefined), or undefined. */
export function drawsOf(file: BootstrapFile | undefined, block: string, metric: string): number[] | undefined {
  const v = file?.blocks?.[block]?.[metric];
  return v?.map((x) => (typeof x === 'number' ? x : NaN));
}
