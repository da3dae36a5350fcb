import { join } from 'node:path';
import { VigilError } from '../util/errors.js';
import { readOptionalRunFile } from '../artifacts/runFiles.js';
import type { ReportInputFile } from '../artifacts/reportInput.js';
import { REPORT_INPUT_FILE } from './render.js';
import type { ReportInput } from './types.js';

/**
 * The schema (artifacts/reportInput.ts) checks the run id and that every section is an object;
 * inside a section the shape is the report's own type (report/types.ts), which render.ts wrote the
 * file from — sections are not re-validated field by field.
 */
function sectionsAreReportTypes(r: ReportInputFile): r is ReportInputFile & ReportInput {
  return typeof r.runId === 'string';
}

/** A run's saved `report-input.json`, or undefined when the run did not save one. */
export function readSavedReportInput(runDir: string): ReportInput | undefined {
  const r = readOptionalRunFile(runDir, REPORT_INPUT_FILE);
  if (r === undefined) return undefined;
  if (!sectionsAreReportTypes(r)) throw new VigilError(`${join(runDir, REPORT_INPUT_FILE)}: expected 'runId'`, { field: `${REPORT_INPUT_FILE}:runId` });
  return r;
}
