/**
 * Near-duplicate candidate pairs as a SQL self-join of the LSH band keys, then verification and
 * connected components as in split/nearDuplicates.ts: rows sharing a band key in a bucket of at most
 * `maxBucket` rows are candidate pairs (the join); oversize buckets are walked the same way the
 * TypeScript clustering walks them (sorted by the whole signature, a sliding window), so the clusters
 * are identical.
 *
 * Band keys come in as table `band_keys(row_idx, band, bkey)`, computed from the SimHash signatures.
 * On a cluster the same join runs in Spark SQL and the components in a graph job (docs/scale.md).
 */
import type { SqlEngine } from '../sqlEngine.js';
import type { NearDupConfig } from '../../split/config.js';
import { bandKey, compareSig } from '../../split/nearDuplicates.js';
import { hamming, maxHammingFor } from '../../split/fingerprint.js';
import { UnionFind } from '../../split/groups.js';
import { VigilError } from '../../util/errors.js';

export interface SqlNearDupResult {
  cluster: Int32Array;
  /** Distinct candidate pairs from normal buckets (the join's output). */
  candidatePairs: number;
  oversizeBuckets: number;
  links: number;
}

/** Load every row's band keys into `band_keys`. */
export async function loadBandKeys(engine: SqlEngine, sigs: Uint32Array, n: number, bits: number, bandBits: number): Promise<number> {
  const words = bits / 32;
  const bands = Math.floor(bits / bandBits);
  const row = new Float64Array(n * bands), band = new Float64Array(n * bands), key = new Float64Array(n * bands);
  for (let b = 0, k = 0; b < bands; b++) {
    for (let i = 0; i < n; i++, k++) { row[k] = i; band[k] = b; key[k] = bandKey(sigs, i, words, b, bandBits); }
  }
  await engine.createTable('band_keys', [
    { name: 'row_idx', type: 'BIGINT', values: row }, { name: 'band', type: 'BIGINT', values: band }, { name: 'bkey', type: 'BIGINT', values: key },
  ]);
  return bands;
}

export async function nearDuplicatesSql(engine: SqlEngine, sigs: Uint32Array, n: number, bits: number, cfg: NearDupConfig): Promise<SqlNearDupResult> {
  const words = bits / 32;
  if (!Number.isInteger(words) || sigs.length !== n * words) {
    throw new VigilError(`near-duplicates: expected ${n} signatures of ${bits} bits, got ${sigs.length} words`, { field: 'nearDup.bits' });
  }
  if (cfg.bandBits > bits) throw new VigilError(`nearDup.bandBits (${cfg.bandBits}) exceeds nearDup.bits (${bits})`, { field: 'nearDup.bandBits' });
  await loadBandKeys(engine, sigs, n, bits, cfg.bandBits);
  await engine.run(`CREATE OR REPLACE TEMP TABLE bucket_sizes AS
    SELECT band, bkey, COUNT(*) AS size FROM band_keys GROUP BY band, bkey`);
  const pairs = await engine.query(`
    SELECT DISTINCT a.row_idx AS a, b.row_idx AS b
    FROM band_keys a
    JOIN band_keys b ON b.band = a.band AND b.bkey = a.bkey AND a.row_idx < b.row_idx
    JOIN bucket_sizes s ON s.band = a.band AND s.bkey = a.bkey
    WHERE s.size <= ${cfg.maxBucket}`);
  const maxH = maxHammingFor(cfg.minCosine, bits);
  const uf = new UnionFind(n);
  let links = 0;
  const tryPair = (a: number, b: number) => {
    if (uf.find(a) !== uf.find(b) && hamming(sigs, a, sigs, b, words) <= maxH && uf.union(a, b)) links++;
  };
  for (const p of pairs) tryPair(Number(p.a), Number(p.b));
  // Hot buckets: their members, then the same sorted sliding window as the TypeScript clustering.
  const hot = await engine.query(`SELECT k.band AS band, k.bkey AS bkey, k.row_idx AS row_idx
    FROM band_keys k JOIN bucket_sizes s ON s.band = k.band AND s.bkey = k.bkey
    WHERE s.size > ${cfg.maxBucket} ORDER BY k.band, k.bkey, k.row_idx`);
  let oversize = 0;
  for (let s = 0; s < hot.length;) {
    let e = s + 1;
    while (e < hot.length && hot[e].band === hot[s].band && hot[e].bkey === hot[s].bkey) e++;
    oversize++;
    const members = hot.slice(s, e).map((r) => Number(r.row_idx));
    members.sort((a, b) => compareSig(sigs, words, a, b));
    for (let a = 0; a < members.length; a++) {
      for (let b = a + 1; b < Math.min(members.length, a + 1 + cfg.window); b++) tryPair(members[a], members[b]);
    }
    s = e;
  }
  return { cluster: uf.labels(), candidatePairs: pairs.length, oversizeBuckets: oversize, links };
}

