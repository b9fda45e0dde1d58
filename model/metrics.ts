// Clustering quality: ARI, NMI and purity against ground truth (from the contingency table), and
// the silhouette coefficient in feature space (no ground truth). Definitions follow
// scikit-learn's defaults so numbers compare with the papers' (adjusted_rand_score,
// normalized_mutual_info_score with average_method='arithmetic', silhouette_score with
// metric='euclidean' and sample_size). Plain TypeScript, no Node built-ins.

export interface Contingency {
  /** Distinct values of a and b, ascending. */
  rowsOf: number[];
  colsOf: number[];
  /** counts[i * cols + j] = #{k : a[k] = rowsOf[i], b[k] = colsOf[j]} */
  counts: Float64Array;
  /** Row sums (class sizes of a) and column sums (cluster sizes of b). */
  rowSums: Float64Array;
  colSums: Float64Array;
  n: number;
}

export interface PairOptions {
  /** Drop the samples where either labelling equals this value (e.g. -1 for off-tissue). */
  ignore?: number;
}

export function contingency(a: ArrayLike<number>, b: ArrayLike<number>, { ignore }: PairOptions = {}): Contingency {
  if (a.length !== b.length) throw new RangeError(`labelings differ in length: ${a.length} vs ${b.length}`);
  const keep = (k: number) => ignore === undefined || (a[k] !== ignore && b[k] !== ignore);
  const ra = new Set<number>(), rb = new Set<number>();
  for (let k = 0; k < a.length; k++)
    if (keep(k)) {
      ra.add(a[k]!);
      rb.add(b[k]!);
    }
  const rowsOf = [...ra].sort((x, y) => x - y), colsOf = [...rb].sort((x, y) => x - y);
  const ri = new Map(rowsOf.map((v, i) => [v, i])), ci = new Map(colsOf.map((v, i) => [v, i]));
  const R = rowsOf.length, C = colsOf.length;
  const counts = new Float64Array(R * C), rowSums = new Float64Array(R), colSums = new Float64Array(C);
  let n = 0;
  for (let k = 0; k < a.length; k++) {
    if (!keep(k)) continue;
    const i = ri.get(a[k]!)!, j = ci.get(b[k]!)!;
    counts[i * C + j]!++;
    rowSums[i]!++;
    colSums[j]!++;
    n++;
  }
  return { rowsOf, colsOf, counts, rowSums, colSums, n };
}

/**
 * Adjusted Rand index (Hubert & Arabie), from the pair confusion counts as scikit-learn
 * computes it: 1 for identical partitions (up to renaming), about 0 for independent ones,
 * possibly negative. Counting ordered pairs:
 *   tp = sum n_ij^2 - n, fp = sum b_j^2 - sum n_ij^2, fn = sum a_i^2 - sum n_ij^2,
 *   tn = n^2 - tp - fp - fn - n,  ARI = 2 (tp tn - fn fp) / ((tp + fn)(fn + tn) + (tp + fp)(fp + tn)).
 */
export function adjustedRandIndex(truth: ArrayLike<number>, pred: ArrayLike<number>, opts: PairOptions = {}): number {
  const t = contingency(truth, pred, opts);
  let sumSq = 0, sumA = 0, sumB = 0;
  for (const c of t.counts) sumSq += c * c;
  for (const c of t.rowSums) sumA += c * c;
  for (const c of t.colSums) sumB += c * c;
  const n = t.n;
  const tp = sumSq - n, fp = sumB - sumSq, fn = sumA - sumSq, tn = n * n - fp - fn - sumSq;
  // No disagreeing pairs at all (identical partitions, also the degenerate n <= 1 cases).
  if (fn === 0 && fp === 0) return 1;
  return (2 * (tp * tn - fn * fp)) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}

/** Shannon entropy (natural log) of a count vector. */
function entropy(counts: Float64Array, n: number): number {
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / n) * Math.log(c / n);
  return h;
}

/** Mutual information (nats) of the contingency table: sum p_ij log(p_ij / (p_i p_j)). */
export function mutualInformation(t: Contingency): number {
  const C = t.colsOf.length, n = t.n;
  let mi = 0;
  for (let i = 0; i < t.rowsOf.length; i++)
    for (let j = 0; j < C; j++) {
      const c = t.counts[i * C + j]!;
      if (c > 0) mi += (c / n) * Math.log((c * n) / (t.rowSums[i]! * t.colSums[j]!));
    }
  // Rounding can leave a tiny negative value for independent labelings; MI is >= 0.
  return mi < 1e-15 ? 0 : mi;
}

/**
 * Normalized mutual information with the arithmetic mean of the entropies as normaliser
 * (scikit-learn's default): NMI = MI / ((H(a) + H(b)) / 2). Both labelings with a single
 * cluster count as a perfect match (1), as in scikit-learn; MI = 0 gives 0.
 */
export function normalizedMutualInfo(truth: ArrayLike<number>, pred: ArrayLike<number>, opts: PairOptions = {}): number {
  const t = contingency(truth, pred, opts);
  if (t.rowsOf.length === t.colsOf.length && t.rowsOf.length <= 1) return 1;
  const mi = mutualInformation(t);
  if (mi === 0) return 0;
  const norm = (entropy(t.rowSums, t.n) + entropy(t.colSums, t.n)) / 2;
  return mi / norm;
}

/**
 * Purity (the colocalization reference's "accuracy"): each predicted cluster counts its most
 * frequent true class; the sum over clusters divided by n. 1 for a perfect or finer partition.
 */
export function purity(truth: ArrayLike<number>, pred: ArrayLike<number>, opts: PairOptions = {}): number {
  const t = contingency(truth, pred, opts);
  const R = t.rowsOf.length, C = t.colsOf.length;
  let s = 0;
  for (let j = 0; j < C; j++) {
    let best = 0;
    for (let i = 0; i < R; i++) best = Math.max(best, t.counts[i * C + j]!);
    s += best;
  }
  return t.n > 0 ? s / t.n : 0;
}

export interface SilhouetteOptions {
  /**
   * Compute on a random subset of this many samples (without replacement) when there are
   * more, as scikit-learn's sample_size does; Infinity uses all. Default 2000.
   */
  sampleSize?: number;
  /** Seed for the subset (same seed, same subset). Default 0. */
  seed?: number;
}

/**
 * Mean silhouette coefficient, Euclidean distance. x is row-major [n, dim]; samples with a
 * negative label (-1 = masked) are left out before sampling. For sample i in cluster A:
 * a = mean distance to the other members of A, b = smallest mean distance to another cluster,
 * s = (b - a) / max(a, b), and s = 0 for a sample alone in its cluster. Needs 2 <= clusters
 * <= samples - 1 (the range where it is defined; scikit-learn raises otherwise).
 */
export function silhouetteScore(
  x: ArrayLike<number>,
  labels: ArrayLike<number>,
  dim: number,
  { sampleSize = 2000, seed = 0 }: SilhouetteOptions = {},
): number {
  const n = labels.length;
  if (x.length !== n * dim) throw new RangeError(`silhouette: ${x.length} values are not ${n} samples x ${dim} features`);
  let idx: number[] = [];
  for (let i = 0; i < n; i++) if (labels[i]! >= 0) idx.push(i);
  if (idx.length > sampleSize) idx = sampleWithoutReplacement(idx, sampleSize, seed);
  const s = silhouetteOf(x, labels, dim, idx);
  let sum = 0;
  for (const v of s) sum += v;
  return sum / s.length;
}

/** Per-sample silhouette values for all samples with labels >= 0 (no sampling), in order. */
export function silhouetteSamples(x: ArrayLike<number>, labels: ArrayLike<number>, dim: number): Float64Array {
  const idx: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i]! >= 0) idx.push(i);
  return silhouetteOf(x, labels, dim, idx);
}

function silhouetteOf(x: ArrayLike<number>, labels: ArrayLike<number>, dim: number, idx: number[]): Float64Array {
  const m = idx.length;
  const clusterIds = [...new Set(idx.map((i) => labels[i]!))].sort((p, q) => p - q);
  const K = clusterIds.length;
  if (K < 2 || K > m - 1)
    throw new RangeError(`silhouette needs 2 <= clusters <= samples - 1; got ${K} clusters for ${m} samples`);
  const cOf = new Map(clusterIds.map((c, k) => [c, k]));
  const cl = Int32Array.from(idx, (i) => cOf.get(labels[i]!)!);
  const size = new Float64Array(K);
  for (const c of cl) size[c]!++;
  // The chosen rows, contiguous and float64: the pair loop below is the whole cost (m^2/2 x dim).
  const xs = new Float64Array(m * dim);
  idx.forEach((i, p) => {
    for (let k = 0; k < dim; k++) xs[p * dim + k] = x[i * dim + k]!;
  });
  // Sum of distances from each sample to each cluster; every pair computed once.
  const sums = new Float64Array(m * K);
  for (let p = 0; p < m; p++) {
    const op = p * dim;
    for (let q = p + 1; q < m; q++) {
      const oq = q * dim;
      let d2 = 0;
      for (let k = 0; k < dim; k++) {
        const t = xs[op + k]! - xs[oq + k]!;
        d2 += t * t;
      }
      const d = Math.sqrt(d2);
      sums[p * K + cl[q]!]! += d;
      sums[q * K + cl[p]!]! += d;
    }
  }
  const s = new Float64Array(m);
  for (let p = 0; p < m; p++) {
    const own = cl[p]!;
    if (size[own] === 1) continue; // alone in its cluster: s = 0
    const a = sums[p * K + own]! / (size[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < K; c++) if (c !== own) b = Math.min(b, sums[p * K + c]! / size[c]!);
    const den = Math.max(a, b);
    s[p] = den > 0 ? (b - a) / den : 0;
  }
  return s;
}

/** k indices drawn without replacement (partial Fisher-Yates, mulberry32), returned sorted. */
function sampleWithoutReplacement(items: number[], k: number, seed: number): number[] {
  const a = items.slice();
  const r = mulberry32(seed);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(r() * (a.length - i));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a.slice(0, k).sort((p, q) => p - q);
}

function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
