import type { ParsedVideo } from './request.js';
import type { KnownContentLookup } from './scorer.js';
import { VigilError } from '../util/errors.js';

/**
 * The known-content fast path: `known_content.json` holds SimHash fingerprints of previously blocked
 * videos (split/fingerprint.ts, the same fingerprints the leakage-safe split groups near-duplicates
 * with). An upload whose fingerprint is near one of them gets KNOWN_CONTENT and BLOCK.
 */
interface SplitFingerprintModule {
  fingerprintIndexFromJSON(json: unknown): { fingerprinter: unknown; minCosine: number };
  createSigner(fp: unknown): { words: number; sign(input: { frameMean: ArrayLike<number>; audioMean?: ArrayLike<number> | null; transcript?: string | null }, out: Uint32Array, offset?: number): void };
  lookupFingerprint(index: unknown, sig: Uint32Array, minCosine?: number): { videoId: string; cosine: number; hamming: number }[];
}

function splitModule(): SplitFingerprintModule {
  try {
    const fp = '../split/fingerprint.js', ix = '../split/fingerprintIndex.js';
    return { ...(require(fp) as object), ...(require(ix) as object) } as SplitFingerprintModule;
  } catch (e) {
    throw new VigilError(`fingerprint module not available in this build (${(e as Error).message})`, { field: 'known_content.json' });
  }
}

/** Mean of `count` rows of `dim` values. */
export function meanRows(flat: Float32Array, count: number, dim: number): Float64Array {
  const out = new Float64Array(dim);
  for (let r = 0; r < count; r++) for (let j = 0; j < dim; j++) out[j] += flat[r * dim + j];
  if (count > 0) for (let j = 0; j < dim; j++) out[j] /= count;
  return out;
}

export function loadKnownContent(json: unknown): KnownContentLookup {
  const m = splitModule();
  const index = m.fingerprintIndexFromJSON(json);
  const signer = m.createSigner(index.fingerprinter);
  const sig = new Uint32Array(signer.words);
  return (v: ParsedVideo) => {
    const nF = v.frameTs.length, nA = v.audioTs.length;
    signer.sign({
      frameMean: meanRows(v.frameEmb, nF, v.frameEmb.length / Math.max(nF, 1)),
      audioMean: v.hasAudio && nA > 0 ? meanRows(v.audioEmb, nA, v.audioEmb.length / nA) : null,
      transcript: v.transcript,
    }, sig);
    const best = m.lookupFingerprint(index, sig)[0];
    return best ? { videoId: best.videoId, cosine: best.cosine } : null;
  };
}
