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
  const sums = items.map((it) => it.embedding.map((x) => x * it.weight));
  let clusters = items.map((it, i) => ({ members: [i], sum: sums[i], weight: it.weight }));
  const unit = (s: Float32Array) => l2normalize(Float32Array.from(s));
  let centroids = clusters.map((c) => unit(c.sum));
  for (;;) {
    let best = -Infinity;
    let bi = -1;
    let bj = -1;
    for (let i = 0; i < clusters.length; i++) {
      for (let j = i + 1; j < clusters.length; j++) {
        const s = cosine(centroids[i], centroids[j]);
        if (s > best) [best, bi, bj] = [s, i, j];
      }
    }
    if (bi < 0 || best < threshold) break;
    const a = clusters[bi];
    const b = clusters[bj];
    const sum = a.sum.map((x, d) => x + b.sum[d]);
    const merged = { members: [...a.members, ...b.members], sum, weight: a.weight + b.weight };
    clusters = clusters.filter((_, k) => k !== bi && k !== bj).concat(merged);
    centroids = clusters.map((c) => unit(c.sum));
  }
  return clusters.map((c, i) => ({ members: c.members.sort((x, y) => x - y), centroid: centroids[i], weight: c.weight }));
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
