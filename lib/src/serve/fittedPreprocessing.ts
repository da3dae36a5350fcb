import { preprocessorFromJSON, transform } from '../features/preprocess.js';
import { keptItems } from '../features/sequence.js';
import type { ServingPreprocessor } from './preprocessing.js';

/**
 * preprocessor.json → the training preprocessing, for serving: the same `transform` (and the same
 * rule for which items of a capped sequence are kept) that training, evaluation and export parity use.
 */
export function loadFittedPreprocessor(json: unknown): ServingPreprocessor {
  const fitted = preprocessorFromJSON(json);
  return { transform: (table, rows) => transform(fitted, table, rows), keptItems };
}
