import type { ParsedVideo } from './request.js';
import type { KnownContentLookup } from './scorer.js';
import { takeRows, type VideoTable } from '../data/table.js';
import { createSigner, fingerprintTable, type Fingerprinter } from '../split/fingerprint.js';
import {
  buildFingerprintIndex, fingerprintIndexFromJSON, fingerprintIndexToJSON, lookupFingerprint, type FingerprintIndexJSON,
} from '../split/fingerprintIndex.js';
import { VigilError } from '../util/errors.js';

/**
 * The known-content fast path: `known_content.json` holds SimHash fingerprints of previously blocked
 * videos (split/fingerprint.ts — the same fingerprints the leakage-safe split groups near-duplicates
 * with). An upload whose fingerprint is near one of them gets KNOWN_CONTENT and BLOCK.
 */

/** Mean of `count` rows of `dim` values. */
export function meanRows(flat: Float32Array, count: number, dim: number): Float64Array {
  const out = new Float64Array(dim);
  for (let r = 0; r < count; r++) for (let j = 0; j < dim; j++) out[j] += flat[r * dim + j];
  if (count > 0) for (let j = 0; j < dim; j++) out[j] /= count;
  return out;
}

/** known_content.json for the blocked rows of a table (e.g. every harmful training/calibration upload). */
export function buildKnownContent(
  fingerprinter: Fingerprinter, table: VideoTable, rows: ArrayLike<number>, opts: { bandBits: number; minCosine: number },
): FingerprintIndexJSON {
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    if (!(Number.isInteger(r) && r >= 0 && r < table.n)) throw new VigilError(`known content: row ${r} is outside the table`, { field: 'rows', row: k });
  }
  // Fingerprint only the blocked rows, not the whole table.
  const blocked = takeRows(table, rows);
  return fingerprintIndexToJSON(buildFingerprintIndex(fingerprinter, blocked.videoId, fingerprintTable(fingerprinter, blocked), opts));
}

export function loadKnownContent(json: unknown): KnownContentLookup {
  const index = fingerprintIndexFromJSON(json as FingerprintIndexJSON);
  const fp = index.fingerprinter;
  const signer = createSigner(fp);
  const sig = new Uint32Array(signer.words);
  return (v: ParsedVideo) => {
    const nF = v.frameTs.length, nA = v.audioTs.length;
    if (v.frameEmb.length !== nF * fp.frameDim) {
      throw new VigilError(`'frame_emb': dimension ${v.frameEmb.length / Math.max(nF, 1)} but the known-content index uses ${fp.frameDim}`, { field: 'frame_emb' });
    }
    const audioOk = v.hasAudio && nA > 0 && v.audioEmb.length === nA * fp.audioDim;
    signer.sign({
      frameMean: meanRows(v.frameEmb, nF, fp.frameDim),
      audioMean: audioOk ? meanRows(v.audioEmb, nA, fp.audioDim) : null,
      transcript: v.transcript,
    }, sig);
    const best = lookupFingerprint(index, sig)[0];
    return best ? { videoId: best.videoId, cosine: best.cosine } : null;
  };
}
