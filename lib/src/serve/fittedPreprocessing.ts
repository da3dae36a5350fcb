import { preprocessorFromJSON, transform, type FittedPreprocessor } from '../features/preprocess.js';
import { keptItems } from '../features/sequence.js';
import type { ServingPreprocessor } from './preprocessing.js';

/**
 * A fitted preprocessor as the graph's feeder: the same `transform` (and the same rule for which
 * items of a capped sequence are kept) that training, evaluation and export parity use. Serving and
 * the streamed evaluation both feed the ONNX graph through this.
 */
export function servingPreprocessor(fitted: FittedPreprocessor): ServingPreprocessor {
  return { transform: (table, rows) => transform(fitted, table, rows), keptItems };
}

/** preprocessor.json → the serving preprocessor (validated by `preprocessorFromJSON`). */
export function loadFittedPreprocessor(json: unknown): ServingPreprocessor {
  return servingPreprocessor(preprocessorFromJSON(json));
}
