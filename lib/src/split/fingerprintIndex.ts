/**
 * A known-content index: fingerprints of blocked videos, banded like the clustering, so serving can
 * ask "is this upload a near-duplicate of something we already removed?" in time proportional to
 * the matching buckets, not to the size of the index.
 */
import type { Fingerprinter } from './fingerprint.js';
import { hamming, cosineFromHamming, maxHammingFor } from './fingerprint.js';
import { bandKey } from './nearDuplicates.js';
import { VigilError } from '../util/errors.js';

export interface FingerprintIndex {
  fingerprinter: Fingerprinter;
  bandBits: number;
  minCosine: number;
  ids: string[];
  /** ids.length × words signatures. */
  sigs: Uint32Array;
  /** One map per band: band key → row indices into ids. */
  buckets: Map<number, number[]>[];
}

export interface FingerprintMatch {
  videoId: string;
  /** Cosine estimated from the Hamming distance. */
  cosine: number;
  hamming: number;
}

/** The serialisable form (signatures base64, buckets rebuilt on load). */
export interface FingerprintIndexJSON {
  fingerprinter: Fingerprinter;
  bandBits: number;
  minCosine: number;
  ids: string[];
  sigs: string;
}

export function buildFingerprintIndex(
  fingerprinter: Fingerprinter, ids: string[], sigs: Uint32Array,
  opts: { bandBits: number; minCosine: number },
): FingerprintIndex {
  const words = fingerprinter.bits / 32;
  if (sigs.length !== ids.length * words) {
    throw new VigilError(`fingerprint index: ${ids.length} ids but ${sigs.length / words} signatures`, { field: 'sigs' });
  }
  if (opts.bandBits > fingerprinter.bits) throw new VigilError(`fingerprint index: bandBits ${opts.bandBits} > bits ${fingerprinter.bits}`, { field: 'bandBits' });
  if (fingerprinter.frameDim === 0) {
    // Without frame embeddings every signature is the same (the frame block carries the content), so
    // any upload would "match" every blocked video: the index stays empty and nothing matches.
    ids = [];
    sigs = new Uint32Array(0);
  }
  const bands = Math.floor(fingerprinter.bits / opts.bandBits);
  const buckets: Map<number, number[]>[] = [];
  for (let b = 0; b < bands; b++) {
    const m = new Map<number, number[]>();
    for (let i = 0; i < ids.length; i++) {
      const k = bandKey(sigs, i, words, b, opts.bandBits);
      const list = m.get(k);
      if (list) list.push(i); else m.set(k, [i]);
    }
    buckets.push(m);
  }
  return { fingerprinter, bandBits: opts.bandBits, minCosine: opts.minCosine, ids, sigs, buckets };
}

/** Indexed videos whose estimated cosine to `sig` is >= minCosine, best first. */
export function lookupFingerprint(index: FingerprintIndex, sig: Uint32Array, minCosine = index.minCosine): FingerprintMatch[] {
  const words = index.fingerprinter.bits / 32;
  if (sig.length !== words) throw new VigilError(`fingerprint lookup: signature has ${sig.length * 32} bits, index uses ${index.fingerprinter.bits}`, { field: 'fingerprint' });
  const maxH = maxHammingFor(minCosine, index.fingerprinter.bits);
  const seen = new Set<number>();
  const out: FingerprintMatch[] = [];
  index.buckets.forEach((m, b) => {
    for (const i of m.get(bandKey(sig, 0, words, b, index.bandBits)) ?? []) {
      if (seen.has(i)) continue;
      seen.add(i);
      const h = hamming(sig, 0, index.sigs, i, words);
      if (h <= maxH) out.push({ videoId: index.ids[i], cosine: cosineFromHamming(h, index.fingerprinter.bits), hamming: h });
    }
  });
  out.sort((a, b) => a.hamming - b.hamming || (a.videoId < b.videoId ? -1 : 1));
  return out;
}

export function fingerprintIndexToJSON(index: FingerprintIndex): FingerprintIndexJSON {
  const buf = Buffer.from(index.sigs.buffer, index.sigs.byteOffset, index.sigs.byteLength);
  return { fingerprinter: index.fingerprinter, bandBits: index.bandBits, minCosine: index.minCosine, ids: index.ids, sigs: buf.toString('base64') };
}

export function fingerprintIndexFromJSON(json: FingerprintIndexJSON): FingerprintIndex {
  const buf = Buffer.from(json.sigs, 'base64');
  if (buf.byteLength % 4 !== 0) throw new VigilError('fingerprint index: sigs is not a whole number of 32-bit words', { field: 'sigs' });
  const sigs = new Uint32Array(buf.byteLength / 4);
  new Uint8Array(sigs.buffer).set(buf);
  return buildFingerprintIndex(json.fingerprinter, json.ids, sigs, { bandBits: json.bandBits, minCosine: json.minCosine });
}
