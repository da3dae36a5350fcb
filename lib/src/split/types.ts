/** Split labels, in the order they are stored in `SplitAssignment.split`. */
export const SPLIT_NAMES = ['train', 'calib', 'test', 'purged'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];
export const TRAIN = 0, CALIB = 1, TEST = 2, PURGED = 3;

/**
 * The leakage-safe split as arrays aligned with a VideoTable's rows
 * (row i of the table ↔ index i here). Written to `split.parquet` as
 * `video_id, group_id, split, fold`.
 */
export interface SplitAssignment {
  videoId: string[];
  /** Leakage group (connected component of near-duplicates, optionally joined by creator). */
  groupId: Int32Array;
  /** 0 train, 1 calib, 2 test, 3 purged (see SPLIT_NAMES). */
  split: Uint8Array;
  /** CV fold within train; -1 = null. */
  fold: Int8Array;
}
