/**
 * Near-duplicate clustering at scale: LSH banding over SimHash signatures. Each band of `bandBits`
 * bits is a hash key; rows sharing a key in any band become candidates, verified by the Hamming
 * estimate of their cosine. Work per band is a sort plus the pairs inside buckets; buckets above
 * `maxBucket` are walked along a sorted sliding window instead of all-pairs, so the total is
 * O(n log n + n · bands · maxBucket) — never the n² of all-pairs.
 *
 * Linked pairs feed a union-find, so clusters are connected components (a re-upload of a re-upload
 * joins the original's cluster even when the two ends drifted apart).
 */
import type { NearDupConfig } from './config.js';
import { hamming, maxHammingFor } from './fingerprint.js';
import { UnionFind } from './groups.js';
import { VigilError } from '../util/errors.js';

export interface NearDupResult {
  /** Dense cluster id per row (singletons get their own id). */
  cluster: Int32Array;
  clusters: number;
  /** Rows in clusters of size >= 2. */
  rowsInClusters: number;
  largestCluster: number;
  /** Candidate pairs examined (across bands, before the same-component shortcut). */
  candidates: number;
  /** Pairs that passed verification and joined two components. */
  links: number;
  oversizeBuckets: number;
  bands: number;
  maxHamming: number;
  ms: number;
}

/** The `bandBits`-bit key of band `band` of row `row` (bits may straddle words). */
export function bandKey(sigs: Uint32Array, row: number, words: number, band: number, bandBits: number): number {
  const start = band * bandBits;
  let key = 0;
  for (let k = 0; k < bandBits; k++) {
    const bit = start + k;
    const w = sigs[row * words + (bit >>> 5)];
    if ((w >>> (bit & 31)) & 1) key += 2 ** k;
  }
  return key;
}

/** Order of two rows' whole signatures (ties by row), the order oversize buckets are walked in. */
export function compareSig(sigs: Uint32Array, words: number, a: number, b: number): number {
  for (let w = 0; w < words; w++) {
    const x = sigs[a * words + w], y = sigs[b * words + w];
    if (x !== y) return x < y ? -1 : 1;
  }
  return a - b;
}

/** Rows grouped by band key: returns rows sorted by (key, row) and their keys. */
function sortByKey(keys: Float64Array): Int32Array {
  const n = keys.length;
  const order = new Int32Array(n);
  if (n < 2 ** 21) {
    // Pack (key, row) into one float: exact while key < 2^32 and row < 2^21, and a typed sort is fast.
    const packed = new Float64Array(n);
    for (let i = 0; i < n; i++) packed[i] = keys[i] * 2 ** 21 + i;
    packed.sort();
    for (let i = 0; i < n; i++) order[i] = packed[i] % 2 ** 21;
  } else {
    const idx = Array.from({ length: n }, (_, i) => i);
    idx.sort((a, b) => keys[a] - keys[b] || a - b);
    for (let i = 0; i < n; i++) order[i] = idx[i];
  }
  return order;
}

export function clusterNearDuplicates(sigs: Uint32Array, n: number, bits: number, cfg: NearDupConfig): NearDupResult {
  const t0 = Date.now();
  const words = bits / 32;
  if (!Number.isInteger(words) || sigs.length !== n * words) {
    throw new VigilError(`near-duplicates: expected ${n} signatures of ${bits} bits, got ${sigs.length} words`, { field: 'nearDup.bits' });
  }
  if (cfg.bandBits > bits) throw new VigilError(`nearDup.bandBits (${cfg.bandBits}) exceeds nearDup.bits (${bits})`, { field: 'nearDup.bandBits' });
  const bands = Math.floor(bits / cfg.bandBits);
  const maxH = maxHammingFor(cfg.minCosine, bits);
  const uf = new UnionFind(n);
  let candidates = 0, links = 0, oversize = 0;
  const keys = new Float64Array(n);
  const tryPair = (a: number, b: number) => {
    candidates++;
    if (uf.find(a) === uf.find(b)) return;
    if (hamming(sigs, a, sigs, b, words) <= maxH && uf.union(a, b)) links++;
  };
  for (let band = 0; band < bands; band++) {
    for (let i = 0; i < n; i++) keys[i] = bandKey(sigs, i, words, band, cfg.bandBits);
    const order = sortByKey(keys);
    for (let s = 0; s < n;) {
      let e = s + 1;
      while (e < n && keys[order[e]] === keys[order[s]]) e++;
      const size = e - s;
      if (size >= 2 && size <= cfg.maxBucket) {
        for (let a = s; a < e; a++) for (let b = a + 1; b < e; b++) tryPair(order[a], order[b]);
      } else if (size > cfg.maxBucket) {
        // A hot bucket (e.g. near-identical template content): sort by the whole signature so
        // similar rows sit together, then compare each with its next `window` neighbours.
        oversize++;
        const members = Array.from(order.subarray(s, e));
        members.sort((a, b) => compareSig(sigs, words, a, b));
        for (let a = 0; a < members.length; a++) {
          for (let b = a + 1; b < Math.min(members.length, a + 1 + cfg.window); b++) tryPair(members[a], members[b]);
        }
      }
      s = e;
    }
  }
  const cluster = uf.labels();
  const sizes = new Int32Array(n);
  for (let i = 0; i < n; i++) sizes[cluster[i]]++;
  let k = 0, inClusters = 0, largest = n > 0 ? 1 : 0;
  for (let c = 0; c < n; c++) {
    if (sizes[c] > 0) k++;
    if (sizes[c] >= 2) inClusters += sizes[c];
    if (sizes[c] > largest) largest = sizes[c];
  }
  return { cluster, clusters: k, rowsInClusters: inClusters, largestCluster: largest, candidates, links, oversizeBuckets: oversize, bands, maxHamming: maxH, ms: Date.now() - t0 };
}
