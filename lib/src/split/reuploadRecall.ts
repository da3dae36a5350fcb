/**
 * Near-duplicate quality against the simulator's ground truth (`truth.reupload_of`): how many true
 * re-upload pairs landed in the same cluster, and how many clustered pairs are not re-uploads.
 */
import type { TruthTable } from '../data/table.js';
import { UnionFind } from './groups.js';
import { VigilError } from '../util/errors.js';

export interface ReuploadRecall {
  /** (video, reupload_of) pairs with both videos present. */
  truePairs: number;
  /** Of those, pairs in the same cluster. */
  recalled: number;
  /** recalled / truePairs (1 when there are no true pairs). */
  recall: number;
  /** Pairs of rows sharing a cluster. */
  clusteredPairs: number;
  /** Clustered pairs whose videos are not in the same re-upload family (transitively). */
  nonReuploadPairs: number;
  /** nonReuploadPairs / clusteredPairs (0 when nothing is clustered). */
  nonReuploadShare: number;
}

const pairs = (k: number) => (k * (k - 1)) / 2;

/** `clusters[i]` is the cluster of the video `videoIds[i]`; truth rows are matched by video id. */
export function reuploadRecall(clusters: Int32Array, videoIds: string[], truth: TruthTable): ReuploadRecall {
  if (clusters.length !== videoIds.length) throw new VigilError(`reupload recall: ${clusters.length} clusters for ${videoIds.length} videos`, { field: 'clusters' });
  const rowOf = new Map<string, number>();
  videoIds.forEach((v, i) => rowOf.set(v, i));
  // Re-upload families: the original and all its (chained) re-uploads, joined through the original's
  // id even when the original itself is not stored (e.g. a downsampled negative), so two re-uploads of
  // one dropped original still count as the same content.
  const idx = new Map<string, number>(rowOf);
  const idOf = (v: string) => { let k = idx.get(v); if (k === undefined) { k = idx.size; idx.set(v, k); } return k; };
  const links: [number, number][] = [];
  let truePairs = 0, recalled = 0;
  for (let k = 0; k < truth.n; k++) {
    const orig = truth.reuploadOf[k];
    if (orig === null) continue;
    links.push([idOf(truth.videoId[k]), idOf(orig)]);
    const a = rowOf.get(truth.videoId[k]), b = rowOf.get(orig);
    if (a === undefined || b === undefined) continue;
    truePairs++;
    if (clusters[a] === clusters[b]) recalled++;
  }
  const uf = new UnionFind(idx.size);
  for (const [a, b] of links) uf.union(a, b);
  const perCluster = new Map<number, number>();
  const perClusterFamily = new Map<string, number>();
  for (let i = 0; i < videoIds.length; i++) {
    perCluster.set(clusters[i], (perCluster.get(clusters[i]) ?? 0) + 1);
    const key = `${clusters[i]}:${uf.find(i)}`;
    perClusterFamily.set(key, (perClusterFamily.get(key) ?? 0) + 1);
  }
  let clustered = 0, related = 0;
  for (const k of perCluster.values()) clustered += pairs(k);
  for (const k of perClusterFamily.values()) related += pairs(k);
  return {
    truePairs, recalled, recall: truePairs > 0 ? recalled / truePairs : 1,
    clusteredPairs: clustered, nonReuploadPairs: clustered - related,
    nonReuploadShare: clustered > 0 ? (clustered - related) / clustered : 0,
  };
}
