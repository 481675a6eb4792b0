import { cosine, l2normalize } from './embedder.js';

/**
 * Agglomerative clustering of speaker embeddings, centroid linkage on cosine
 * similarity: each cluster is the weighted sum of its members' unit
 * embeddings (weight = seconds of speech), and the two clusters whose
 * centroids are most similar merge, until no pair reaches `threshold`.
 * Weighting by duration keeps a long, clean stretch from being outvoted by
 * several short, noisy ones.
 */
export interface ClusterItem {
  embedding: Float32Array;
  weight: number;
}

export interface Cluster {
  members: number[];
  /** Unit-length centroid. */
  centroid: Float32Array;
  weight: number;
}

export function agglomerate(items: ClusterItem[], threshold: number): Cluster[] {
  // Active clusters keep their weighted sum; similarities are cached and only the merged row is recomputed.
  const sums = items.map((it) => it.embedding.map((x) => x * it.weight));
  const members = items.map((_, i) => [i]);
  const weights = items.map((it) => it.weight);
  const alive = items.map(() => true);
  const unit = (s: Float32Array) => l2normalize(Float32Array.from(s));
  const centroids = sums.map(unit);
  const n = items.length;
  const sim = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) sim[i][j] = sim[j][i] = cosine(centroids[i], centroids[j]);
  for (;;) {
    let best = -Infinity;
    let bi = -1;
    let bj = -1;
    for (let i = 0; i < n; i++) {
      if (!alive[i]) continue;
      const row = sim[i];
      for (let j = i + 1; j < n; j++) if (alive[j] && row[j] > best) [best, bi, bj] = [row[j], i, j];
    }
    if (bi < 0 || best < threshold) break;
    for (let d = 0; d < sums[bi].length; d++) sums[bi][d] += sums[bj][d];
    members[bi].push(...members[bj]);
    weights[bi] += weights[bj];
    alive[bj] = false;
    centroids[bi] = unit(sums[bi]);
    for (let k = 0; k < n; k++) if (alive[k] && k !== bi) sim[bi][k] = sim[k][bi] = cosine(centroids[bi], centroids[k]);
  }
  const out: Cluster[] = [];
  for (let i = 0; i < n; i++) if (alive[i]) out.push({ members: members[i].sort((x, y) => x - y), centroid: centroids[i], weight: weights[i] });
  return out;
}

/**
 * Folds clusters lighter than `minWeight` seconds into their most similar
 * heavier cluster: a speaker who says less than that is far more often a
 * fragment of someone else (a laugh, a cough, a noisy piece) than a new voice.
 */
export function absorbSmall(clusters: Cluster[], minWeight: number): Cluster[] {
  const big = clusters.filter((c) => c.weight >= minWeight);
  if (big.length === 0) return clusters;
  const out = big.map((c) => ({ ...c, members: [...c.members] }));
  for (const c of clusters) {
    if (c.weight >= minWeight) continue;
    let best = 0;
    for (let i = 1; i < out.length; i++) if (cosine(c.centroid, out[i].centroid) > cosine(c.centroid, out[best].centroid)) best = i;
    out[best].members.push(...c.members);
    out[best].weight += c.weight;
  }
  return out;
}
