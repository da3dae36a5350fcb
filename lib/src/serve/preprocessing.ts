import type { VideoTable } from '../data/table.js';
import type { FusionInputs } from '../export/contract.js';

/**
 * What serving needs from the fitted preprocessing: the same `transform` training used, giving the
 * padded model inputs for some rows of a table. The run folder's `preprocessor.json` is loaded into
 * one of these, so training, evaluation, export parity and serving share one code path.
 */
export interface ServingPreprocessor {
  transform(table: VideoTable, rows: number[]): FusionInputs;
  /**
   * Which of a video's `n` items the preprocessing keeps when it caps a sequence at `cap`, so that
   * attention weights map back to the right timestamps. Needed only when sequences can be capped.
   */
  keptItems?(n: number, cap: number): number[];
}
