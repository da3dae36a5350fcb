import type { VideoTable } from '../data/table.js';
import { hasTranscript } from '../features/textFeaturizer.js';
import { VigilError } from '../util/errors.js';
import { MODALITIES, type TowerName } from './weights.js';

/** A configured tower the data cannot feed, and why (recorded in the run manifest). */
export interface DroppedTower { tower: TowerName; reason: string }

export interface PresentTowers {
  /** The towers the fused model is built with, in MODALITIES order. */
  towers: TowerName[];
  dropped: DroppedTower[];
}

/**
 * The fused model's towers: the configured ones intersected with the modalities the training rows
 * actually carry. A dataset without frames, audio or transcripts is not an error — the missing
 * modality is simply not a tower (its logit, inputs and availability flag leave the model).
 *  - visual needs frame embeddings (frameDim > 0) and at least one training row with a frame;
 *  - audio needs audioDim > 0 and at least one training row with audio segments;
 *  - text needs at least one training row with a non-empty transcript;
 *  - meta is always present (missing metadata values are encoded, not absent).
 * Throws when nothing configured is left to train.
 */
export function presentTowers(table: VideoTable, trainRows: ArrayLike<number>, configured: readonly string[]): PresentTowers {
  for (const t of configured) {
    if (!(MODALITIES as readonly string[]).includes(t)) throw new VigilError(`'model.towers': unknown tower '${t}' (known: ${MODALITIES.join(', ')})`, { field: 'model.towers' });
  }
  // Only presence matters: stop at the first training row that shows every modality (tokenising a
  // transcript is the costly check, so it is skipped once one was found).
  let frames = false, audio = false, text = false;
  for (let k = 0; k < trainRows.length && !(frames && audio && text); k++) {
    const r = trainRows[k];
    frames ||= table.frameOffsets[r + 1] > table.frameOffsets[r];
    audio ||= table.hasAudio[r] === 1 && table.audioOffsets[r + 1] > table.audioOffsets[r];
    text ||= hasTranscript(table, r);
  }
  const why: Record<TowerName, string | null> = {
    meta: null,
    visual: table.frameDim === 0 ? 'the dataset has no frame embeddings (frame_emb dimension 0)'
      : !frames ? 'no training row has a frame' : null,
    audio: table.audioDim === 0 ? 'the dataset has no audio embeddings (audio_emb dimension 0)'
      : !audio ? 'no training row has audio' : null,
    text: !text ? 'no training row has a transcript' : null,
  };
  const towers: TowerName[] = [];
  const dropped: DroppedTower[] = [];
  for (const m of MODALITIES) {
    if (!configured.includes(m)) continue;
    const reason = why[m];
    if (reason === null) towers.push(m);
    else dropped.push({ tower: m, reason });
  }
  if (towers.length === 0) {
    throw new VigilError(`'model.towers': none of the configured towers (${configured.join(', ')}) has data: ${dropped.map((d) => `${d.tower}: ${d.reason}`).join('; ')}`, { field: 'model.towers' });
  }
  return { towers, dropped };
}
