import type { VideoTable } from '../data/table.js';
import type { FusionInputs } from '../export/contract.js';
import type { ServingPreprocessor } from './preprocessing.js';
import { VigilError } from '../util/errors.js';

/** The slice of features/preprocess.ts serving calls (signatures in docs/ARCHITECTURE.md). */
interface FeaturesModule {
  preprocessorFromJSON(json: unknown): unknown;
  transform(fitted: unknown, table: VideoTable, rows: ArrayLike<number>): FusionInputs;
}
interface SequenceModule { keptItems(n: number, cap: number): number[] }

/**
 * preprocessor.json → the training preprocessing, for serving. Resolved at run time so that the
 * serving layer builds on its own; the features module is part of every full build.
 */
export function loadFittedPreprocessor(json: unknown): ServingPreprocessor {
  let mod: FeaturesModule;
  let seq: SequenceModule;
  try {
    const path = '../features/preprocess.js', seqPath = '../features/sequence.js';
    mod = require(path) as FeaturesModule;
    seq = require(seqPath) as SequenceModule;
  } catch (e) {
    throw new VigilError(`preprocessing module not available in this build (${(e as Error).message})`, { field: 'preprocessor.json' });
  }
  const fitted = mod.preprocessorFromJSON(json);
  return { transform: (table, rows) => mod.transform(fitted, table, rows), keptItems: (n, cap) => seq.keptItems(n, cap) };
}
