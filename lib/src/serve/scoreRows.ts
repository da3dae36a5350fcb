/**
 * Score table rows through a run folder's exported model.onnx (with its preprocessor.json): the
 * deployed graph, not the training weights, so what a notebook, the monitor or the benchmark shows
 * is what production computes. The folder is verified exactly as `vigil serve` verifies it (every
 * file's sha256 against the manifest) before anything is scored.
 * `explainWithOnnx` keeps what the serving response does not carry (per-frame attention, tower
 * logits); `scoreWithOnnx` scores many rows in batches (calibrated risk and raw logit).
 */
import type { VideoTable } from '../data/table.js';
import { openFusionSession } from './onnxSession.js';
import { loadFittedPreprocessor } from './fittedPreprocessing.js';
import { verifyRunFolder, verifiedFile } from './runFolder.js';
import { decodeJson } from '../artifacts/runFiles.js';
import { VigilError } from '../util/errors.js';

export interface OnnxExplained {
  row: number;
  videoId: string;
  /** Calibrated probability from the graph. */
  risk: number;
  /** Tower logits (meta, visual, audio, text) as they enter the fusion. */
  modalityLogits: { meta: number; visual: number; audio: number; text: number };
  /** Attention weight per kept frame, in frame order. */
  frameAttention: number[];
  /** Timestamps (s) of those frames. */
  frameTs: number[];
}

async function openRunGraph(runDir: string) {
  const { files } = verifyRunFolder(runDir);
  const pre = loadFittedPreprocessor(decodeJson(verifiedFile(runDir, files, 'preprocessor.json').toString('utf8'), 'preprocessor.json'));
  const session = await openFusionSession(verifiedFile(runDir, files, 'model.onnx'));
  return { pre, session };
}

function checkRows(table: VideoTable, rows: readonly number[]): void {
  for (const r of rows) if (!(Number.isInteger(r) && r >= 0 && r < table.n)) throw new VigilError(`row ${r} is outside the table (n=${table.n})`, { field: 'rows' });
}

/** Calibrated risk and raw fused logit for every row, in row order. */
export async function scoreWithOnnx(runDir: string, table: VideoTable, rows: readonly number[], batchSize = 256): Promise<{ risk: Float64Array; logit: Float64Array }> {
  checkRows(table, rows);
  const risk = new Float64Array(rows.length), logit = new Float64Array(rows.length);
  if (rows.length === 0) return { risk, logit };
  const { pre, session } = await openRunGraph(runDir);
  try {
    for (let s = 0; s < rows.length; s += batchSize) {
      const y = await session.run(pre.transform(table, rows.slice(s, s + batchSize)));
      risk.set(y.risk, s);
      logit.set(y.logit, s);
    }
    return { risk, logit };
  } finally {
    await session.release();
  }
}

export async function explainWithOnnx(runDir: string, table: VideoTable, rows: readonly number[]): Promise<OnnxExplained[]> {
  checkRows(table, rows);
  if (rows.length === 0) return [];
  const { pre, session } = await openRunGraph(runDir);
  try {
    const out: OnnxExplained[] = [];
    for (const r of rows) {
      const x = pre.transform(table, [r]);
      const y = await session.run(x);
      const n = table.frameOffsets[r + 1] - table.frameOffsets[r];
      // A capped sequence keeps a subset of frames; map the attention back to their timestamps.
      const kept = n > x.T ? (pre.keptItems ? pre.keptItems(n, x.T) : Array.from({ length: x.T }, (_, k) => k)) : Array.from({ length: n }, (_, k) => k);
      const ml = y.modalityLogits;
      out.push({
        row: r, videoId: table.videoId[r], risk: Number(y.risk[0]),
        modalityLogits: { meta: Number(ml[0]), visual: Number(ml[1]), audio: Number(ml[2]), text: Number(ml[3]) },
        frameAttention: kept.map((_, k) => Number(y.frameAttention[k])),
        frameTs: kept.map((k) => table.frameTs[table.frameOffsets[r] + k]),
      });
    }
    return out;
  } finally {
    await session.release();
  }
}
