/**
 * The leakage demonstration's two evaluation designs, as row indices: a naive random row split
 * (near-duplicates and future weeks on both sides) and the leakage-safe split. Training the same
 * model on each and comparing test AP shows how much a naive split inflates the numbers.
 */
import type { SplitAssignment } from './types.js';
import { TRAIN, TEST } from './types.js';
import { createRng, shuffleInPlace } from '../util/rng.js';
import { VigilError } from '../util/errors.js';

export interface DemoDesign { train: Int32Array; test: Int32Array }
export interface LeakageDemoIndices { safe: DemoDesign; random: DemoDesign }

/**
 * The random design draws the same numbers of train and test rows as the safe one, uniformly from
 * all rows, so the only difference is how rows are chosen, not how many.
 */
export function leakageDemoIndices(a: SplitAssignment, seed: number): LeakageDemoIndices {
  const tr: number[] = [], te: number[] = [];
  for (let i = 0; i < a.split.length; i++) { if (a.split[i] === TRAIN) tr.push(i); else if (a.split[i] === TEST) te.push(i); }
  if (tr.length === 0 || te.length === 0) throw new VigilError('leakage demo: the split has no train or no test rows', { field: 'split' });
  const all = Int32Array.from({ length: a.split.length }, (_, i) => i);
  shuffleInPlace(all, createRng(seed).fork('leakage-demo'));
  const random = { test: all.slice(0, te.length).sort(), train: all.slice(te.length, te.length + tr.length).sort() };
  return { safe: { train: Int32Array.from(tr), test: Int32Array.from(te) }, random };
}
