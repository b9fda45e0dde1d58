// Spectral clustering of n items from a similarity matrix (METHOD.md section 2, step 2), on the
// CPU (n is the number of ion images, hundreds): symmetric k-nearest-neighbour connectivity
// (A = (K + K^T) / 2, K_ij = 1 when j is among i's k most similar, as scikit-learn's
// affinity='nearest_neighbors'), normalised Laplacian L = I - D^-1/2 A D^-1/2, its smallest
// eigenvectors (Jacobi, model/reduce/eigen.ts: exact, O(n^3) per sweep; fine to n ~ 2000),
// rows normalised (Ng, Jordan & Weiss), then k-means++ with restarts. Without a given k, the
// eigengap picks it: the k maximising lambda_{k+1} - lambda_k of L.
import { Random } from '../../engine/random.ts';
import { symmetricEigen } from '../reduce/eigen.ts';
import { kmeans } from './kmeans.ts';

export const MAX_SPECTRAL_ITEMS = 2000;

/** Symmetric kNN connectivity of a similarity matrix [n*n] (self excluded; ties by index). */
export function knnAffinity(sim: ArrayLike<number>, n: number, k: number): Float64Array {
  const kk = Math.min(k, n - 1);
  const a = new Float64Array(n * n);
  const order = Array.from({ length: n }, (_, j) => j);
  for (let i = 0; i < n; i++) {
    const row = order.filter((j) => j !== i).sort((x, y) => sim[i * n + y]! - sim[i * n + x]! || x - y);
    for (let t = 0; t < kk; t++) {
      const j = row[t]!;
      a[i * n + j]! += 0.5;
      a[j * n + i]! += 0.5;
    }
  }
  return a;
}

export interface SpectralEmbedding {
  /** Eigenvalues of the normalised Laplacian, ascending. */
  laplacian: Float64Array;
  /** Eigenvectors of the Laplacian as columns: vectors[k*n + i] is item i in vector k (ascending order). */
  vectors: Float64Array;
}

export function spectralEmbedding(affinity: Float64Array, n: number): SpectralEmbedding {
  if (n > MAX_SPECTRAL_ITEMS) throw new Error(`spectral clustering of ${n} items: over the ${MAX_SPECTRAL_ITEMS} the dense eigen-solver handles`);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) d[i]! += affinity[i * n + j]!;
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const den = Math.sqrt(d[i]! * d[j]!);
      m[i * n + j] = den > 0 ? affinity[i * n + j]! / den : 0;
    }
  // The largest eigenvalues of D^-1/2 A D^-1/2 are the smallest of L = I - it.
  const { values, vectors } = symmetricEigen(m, n);
  return { laplacian: Float64Array.from(values, (v) => 1 - v), vectors };
}

/** The k in [2, maxK] with the largest gap lambda_{k+1} - lambda_k (eigenvalues ascending). */
export function eigengap(laplacian: ArrayLike<number>, maxK: number): { k: number; gap: number } {
  let best = { k: 2, gap: -Infinity };
  for (let k = 2; k <= Math.min(maxK, laplacian.length - 1); k++) {
    const gap = laplacian[k]! - laplacian[k - 1]!;
    if (gap > best.gap + 1e-12) best = { k, gap };
  }
  return best;
}

export interface SpectralOptions {
  /** Clusters; chosen by the eigengap when omitted. */
  k?: number;
  /** Neighbours of the kNN graph (default 10). */
  neighbors?: number;
  /** Largest k the eigengap considers (default min(20, n - 1)). */
  maxK?: number;
  restarts?: number;
  seed?: number;
}

export interface SpectralResult {
  labels: Int32Array;
  k: number;
  /** lambda_{k+1} - lambda_k of the normalised Laplacian at the chosen k. */
  gap: number;
  /** Whether k came from the eigengap. */
  auto: boolean;
  laplacian: number[];
}

/**
 * Spectral clustering of the mean of the kNN graphs of one or more similarity matrices (each
 * graph built from its own similarity's ranking, so similarities on different scales combine
 * fairly).
 */
export function spectralCluster(sims: ArrayLike<number> | ReadonlyArray<ArrayLike<number>>, n: number, o: SpectralOptions = {}): SpectralResult {
  const list = Array.isArray(sims) ? (sims as ReadonlyArray<ArrayLike<number>>) : [sims as ArrayLike<number>];
  const affinity = new Float64Array(n * n);
  for (const sim of list) {
    const a = knnAffinity(sim, n, o.neighbors ?? 10);
    for (let i = 0; i < a.length; i++) affinity[i]! += a[i]! / list.length;
  }
  const emb = spectralEmbedding(affinity, n);
  const auto = o.k === undefined;
  const pick = eigengap(emb.laplacian, o.maxK ?? Math.min(20, n - 1));
  const k = o.k ?? pick.k;
  if (!Number.isInteger(k) || k < 2 || k > n) throw new Error(`spectral clustering: k = ${k} for ${n} items`);
  const rows = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let c = 0; c < k; c++) norm += emb.vectors[c * n + i]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let c = 0; c < k; c++) rows[i * k + c] = emb.vectors[c * n + i]! / norm;
  }
  const labels = kmeans(rows, n, k, k, { restarts: o.restarts ?? 10, random: new Random(o.seed ?? 0) }).labels;
  const gap = k < n ? emb.laplacian[k]! - emb.laplacian[k - 1]! : 0;
  return { labels, k, gap, auto, laplacian: Array.from(emb.laplacian.subarray(0, Math.min(n, 25))) };
}
