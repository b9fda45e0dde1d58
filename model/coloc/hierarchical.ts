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

/** How one linkage scores a candidate merge and updates the distances after it. */
interface Linkage {
  name: string;
  /** The merge criterion of clusters i, j (sizes a, b) at distance d; the smallest merges first. */
  cost(d: number, a: number, b: number): number;
  /** Lance-Williams: the distance of the merged cluster to m, from d(i, m), d(j, m), d(i, j) and the sizes. */
  update(dim: number, djm: number, dij: number, a: number, b: number): number;
}

function agglomerate(link: Linkage, dist: ArrayLike<number>, n: number, k: number, opts: LinkageOptions): Int32Array {
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`${link.name}: k = ${k} for ${n} items`);
  const d = Float64Array.from(dist);
  const size = opts.sizes ? Float64Array.from(opts.sizes) : new Float64Array(n).fill(1);
  if (size.length !== n) throw new Error(`${link.name}: ${size.length} sizes for ${n} items`);
  const alive = new Uint8Array(n).fill(1);
  const owner = Int32Array.from({ length: n }, (_, i) => i);
  for (let clusters = n; clusters > k; clusters--) {
    let bi = -1, bj = -1, best = Infinity;
    for (let i = 0; i < n; i++) {
      if (!alive[i]) continue;
      for (let j = i + 1; j < n; j++) {
        if (!alive[j]) continue;
        const c = link.cost(d[i * n + j]!, size[i]!, size[j]!);
        if (c < best) (best = c), (bi = i), (bj = j);
      }
    }
    opts.heights?.push(best);
    const a = size[bi]!, b = size[bj]!, dij = d[bi * n + bj]!;
    for (let m = 0; m < n; m++) {
      if (!alive[m] || m === bi || m === bj) continue;
      d[bi * n + m] = d[m * n + bi] = link.update(d[bi * n + m]!, d[bj * n + m]!, dij, a, b);
    }
    size[bi] = a + b;
    alive[bj] = 0;
    for (let t = 0; t < n; t++) if (owner[t] === bj) owner[t] = bi;
  }
  return canonicalLabels(owner);
}

/** Average linkage (UPGMA): d(i+j, m) = (|i| d(i,m) + |j| d(j,m)) / (|i| + |j|). */
export function averageLinkage(dist: ArrayLike<number>, n: number, k: number, opts: LinkageOptions = {}): Int32Array {
  return agglomerate({ name: 'averageLinkage', cost: (d) => d, update: (dim, djm, _dij, a, b) => (a * dim + b * djm) / (a + b) }, dist, n, k, opts);
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
  return agglomerate(
    {
      name: 'wardLinkage',
      cost: (d, a, b) => ((a * b) / (a + b)) * d,
      update: (dim, djm, dij, a, b) => (a * dim + b * djm) / (a + b) - (a * b * dij) / ((a + b) * (a + b)),
    },
    dist,
    n,
    k,
    opts,
  );
}
