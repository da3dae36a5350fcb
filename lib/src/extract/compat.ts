/**
 * Guarding against scoring garbage: a model trained on one embedding space must not score features
 * from another. The dataset folder written by `vigil extract` names its extractor in
 * `extract_report.json`; a run should copy that id into its manifest, and the scorer compares it with
 * the id of the extractor it is about to use.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VigilError } from '../util/errors.js';

/** The extractor id of a dataset folder, or null when its features did not come from `vigil extract` (e.g. simulated). */
export function datasetExtractorId(dataDir: string): string | null {
  const p = join(dataDir, 'extract_report.json');
  if (!existsSync(p)) return null;
  let r: unknown;
  try { r = JSON.parse(readFileSync(p, 'utf8')); } catch (e) {
    throw new VigilError(`${p}: not valid JSON (${(e as Error).message})`, { field: 'extract_report.json' });
  }
  const id = (r as { extractorId?: unknown }).extractorId;
  if (typeof id !== 'string' || id === '') throw new VigilError(`${p}: missing 'extractorId'`, { field: 'extractorId' });
  return id;
}

/** Throws a VigilError explaining the mismatch unless the training features and these share one space. */
export function assertSameExtractor(trainedOn: string | null | undefined, scoringWith: string): void {
  if (trainedOn === scoringWith) return;
  if (!trainedOn) {
    throw new VigilError(
      `this run was trained on features that did not come from a media extractor (simulated or external embeddings); ` +
      `scoring a video file with '${scoringWith}' would put it in a different embedding space. ` +
      `Train on a dataset made by 'vigil extract' to score raw videos.`, { field: 'extractorId' });
  }
  throw new VigilError(
    `embedding spaces differ: the run was trained on features from '${trainedOn}' but this video would be extracted with ` +
    `'${scoringWith}'. Re-extract the training data with the same extractor (or score pre-extracted features).`, { field: 'extractorId' });
}
