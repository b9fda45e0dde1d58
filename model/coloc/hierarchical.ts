// Agglomerative clustering with average linkage (UPGMA) on a distance matrix, cut at k
// clusters: the Pearson baseline most MSI software offers. O(n^3) on the CPU, fine for the
// hundreds of ion images of one dataset. Ties merge the lowest indices first (deterministic).
// Also the consensus of segmentation restarts, where the items are weighted (pixel counts).
import { canonicalLabels } from './kmeans.ts';

export interface LinkageOptions {
  /** Item weights (default 1 each): a cluster's distance to another is the weighted mean. */
  sizes?: ArrayLike<number>;
  /** Filled with the distance of each merge, in merge order (n - k values, non-decreasing for UPGMA). */
  heights?: number[];
}

export function averageLinkage(dist: ArrayLike<number>, n: number, k: number, opts: LinkageOptions = {}): Int32Array {
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`averageLinkage: k = ${k} for ${n} items`);
  const d = Float64Array.from(dist);
  const size = opts.sizes ? Float64Array.from(opts.sizes) : new Float64Array(n).fill(1);
  if (size.length !== n) throw new Error(`averageLinkage: ${size.length} sizes for ${n} items`);
  const alive = new Uint8Array(n).fill(1);
  const owner = Int32Array.from({ length: n }, (_, i) => i);
  for (let clusters = n; clusters > k; clusters--) {
    let bi = -1, bj = -1, best = Infinity;
    for (let i = 0; i < n; i++) {
      if (!alive[i]) continue;
      for (let j = i + 1; j < n; j++) if (alive[j] && d[i * n + j]! < best) (best = d[i * n + j]!), (bi = i), (bj = j);
    }
    opts.heights?.push(best);
    // Lance-Williams update for average linkage: d(i+j, m) = (|i| d(i,m) + |j| d(j,m)) / (|i| + |j|).
    for (let m = 0; m < n; m++) {
      if (!alive[m] || m === bi || m === bj) continue;
      const v = (size[bi]! * d[bi * n + m]! + size[bj]! * d[bj * n + m]!) / (size[bi]! + size[bj]!);
      d[bi * n + m] = d[m * n + bi] = v;
    }
    size[bi]! += size[bj]!;
    alive[bj] = 0;
    for (let t = 0; t < n; t++) if (owner[t] === bj) owner[t] = bi;
  }
  return canonicalLabels(owner);
}

/**
 * Ward's linkage: merges the pair whose union adds the least within-cluster sum of squares,
 * size_i size_j / (size_i + size_j) * d(i, j), where dist holds squared Euclidean distances
 * between the items. Centroid distances are updated exactly (Lance-Williams, centroid form), so
 * this is Ward's method for any items embedded in a Euclidean space (e.g. one-hot label tuples).
 * Unlike average linkage, a small group costs little to absorb, so k groups are k large ones.
 * heights records each merge's added sum of squares.
 */
export function wardLinkage(dist: ArrayLike<number>, n: number, k: number, opts: LinkageOptions = {}): Int32Array {
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`wardLinkage: k = ${k} for ${n} items`);
  const d = Float64Array.from(dist);
  const size = opts.sizes ? Float64Array.from(opts.sizes) : new Float64Array(n).fill(1);
  if (size.length !== n) throw new Error(`wardLinkage: ${size.length} sizes for ${n} items`);
  const alive = new Uint8Array(n).fill(1);
  const owner = Int32Array.from({ length: n }, (_, i) => i);
  for (let clusters = n; clusters > k; clusters--) {
    let bi = -1, bj = -1, best = Infinity;
    for (let i = 0; i < n; i++) {
      if (!alive[i]) continue;
      for (let j = i + 1; j < n; j++) {
        if (!alive[j]) continue;
        const cost = ((size[i]! * size[j]!) / (size[i]! + size[j]!)) * d[i * n + j]!;
        if (cost < best) (best = cost), (bi = i), (bj = j);
      }
    }
    opts.heights?.push(best);
    const a = size[bi]!, b = size[bj]!, dij = d[bi * n + bj]!;
    for (let m = 0; m < n; m++) {
      if (!alive[m] || m === bi || m === bj) continue;
      const v = (a * d[bi * n + m]! + b * d[bj * n + m]!) / (a + b) - (a * b * dij) / ((a + b) * (a + b));
      d[bi * n + m] = d[m * n + bi] = v;
    }
    size[bi] = a + b;
    alive[bj] = 0;
    for (let t = 0; t < n; t++) if (owner[t] === bj) owner[t] = bi;
  }
  return canonicalLabels(owner);
}
