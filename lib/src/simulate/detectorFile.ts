import { existsSync } from 'node:fs';
import { Table } from 'apache-arrow';
import { float64Column, int32Column, streamParquet, utf8Column, writeParquetTable } from '../data/arrow.js';
import { readNumbers, readStrings } from '../data/columns.js';
import { VigilError } from '../util/errors.js';

/**
 * `detector.parquet` of a faint-segment dataset: `video_id, harm_frames, detector_score` (see
 * detector.ts). Like truth.parquet it is generator knowledge for benchmarks and is never read by
 * training; other datasets do not have the file.
 */
export const DETECTOR_FILE = 'detector.parquet';
const COLUMNS = ['video_id', 'harm_frames', 'detector_score'];

export interface DetectorTable { videoId: string[]; harmFrames: Int32Array; score: Float64Array }

export function writeDetectorTable(file: string, t: DetectorTable): void {
  writeParquetTable(file, new Table({
    video_id: utf8Column(t.videoId), harm_frames: int32Column(t.harmFrames), detector_score: float64Column(t.score),
  }));
}

export async function readDetectorTable(file: string): Promise<DetectorTable> {
  if (!existsSync(file)) throw new VigilError(`${file} does not exist (only faint-segment datasets have a detector file)`, { field: DETECTOR_FILE });
  const ids: string[] = [], hf: number[] = [], sc: number[] = [];
  await streamParquet(file, (b, rowBase) => {
    for (const c of COLUMNS) if (!b.getChild(c)) throw new VigilError(`${file}: column '${c}' is missing (expected ${COLUMNS.join(', ')})`, { field: c });
    ids.push(...(readStrings(b.getChild('video_id')!, 'video_id', false, rowBase) as string[]));
    readNumbers(b.getChild('harm_frames')!, 'harm_frames', false, rowBase).forEach((x) => hf.push(x));
    readNumbers(b.getChild('detector_score')!, 'detector_score', false, rowBase).forEach((x) => sc.push(x));
  });
  return { videoId: ids, harmFrames: Int32Array.from(hf), score: Float64Array.from(sc) };
}
