/**
 * How near-duplicate clustering time grows with the number of videos: fingerprint + cluster the
 * first n rows for several n. For the benchmark suite (not a test: timings depend on the machine).
 */
import type { VideoTable } from '../data/table.js';
import { takeRows } from '../data/table.js';
import type { NearDupConfig } from './config.js';
import { fitFingerprinter, fingerprintTable } from './fingerprint.js';
import { clusterNearDuplicates } from './nearDuplicates.js';
import { VigilError } from '../util/errors.js';

export interface ScalingPoint {
  n: number;
  fingerprintMs: number;
  clusterMs: number;
  candidates: number;
  /** (fingerprint + cluster) ms per 1,000 videos: flat when the cost is linear. */
  msPer1k: number;
  /** Process CPU time of both steps, ms: steadier than wall time on a shared machine. */
  cpuMs: number;
}

export function nearDupScaling(table: VideoTable, sizes: number[], cfg: NearDupConfig, seed: number): ScalingPoint[] {
  return sizes.map((n) => {
    if (!Number.isInteger(n) || n < 1 || n > table.n) throw new VigilError(`near-dup scaling: size ${n} is not in 1..${table.n}`, { field: 'sizes' });
    const sub = n === table.n ? table : takeRows(table, Array.from({ length: n }, (_, i) => i));
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const fp = fitFingerprinter(sub, cfg, seed);
    const sigs = fingerprintTable(fp, sub);
    const t1 = performance.now();
    const nd = clusterNearDuplicates(sigs, n, fp.bits, cfg);
    const t2 = performance.now();
    const cpu = process.cpuUsage(c0);
    return { n, fingerprintMs: Math.round(t1 - t0), clusterMs: Math.round(t2 - t1), candidates: nd.candidates, msPer1k: ((t2 - t0) / n) * 1000, cpuMs: Math.round((cpu.user + cpu.system) / 1000) };
  });
}
