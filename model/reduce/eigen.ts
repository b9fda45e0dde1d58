// Symmetric eigen-decomposition by cyclic Jacobi rotations, for the small C x C covariance
// matrices of PCA (the N x C work happens on the GPU; this is O(C^3) on C <= ~1000).

export interface Eigen {
  /** Descending. */
  values: Float64Array;
  /** Column-major: vector k is vectors[k*n .. k*n+n). */
  vectors: Float64Array;
}

export function symmetricEigen(matrix: ArrayLike<number>, n: number, { maxSweeps = 50, tol = 1e-12 } = {}): Eigen {
  const a = Float64Array.from(matrix);
  if (a.length !== n * n) throw new Error(`symmetricEigen: expected ${n * n} values, got ${a.length}`);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let norm = 0;
  for (let i = 0; i < n * n; i++) norm += a[i]! * a[i]!;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    if (off <= tol * tol * Math.max(norm, 1e-300)) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const app = a[p * n + p]!, aqq = a[q * n + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        // Rotate rows/columns p and q of a (kept symmetric), accumulate into v.
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!, akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!, aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!, vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j]! - a[i * n + i]!);
  const values = new Float64Array(n), vectors = new Float64Array(n * n);
  order.forEach((src, k) => {
    values[k] = a[src * n + src]!;
    // Sign convention (as scikit-learn's svd_flip): the largest-magnitude component is positive,
    // so the projection is deterministic across runs and machines.
    let big = 0;
    for (let i = 0; i < n; i++) if (Math.abs(v[i * n + src]!) > Math.abs(big)) big = v[i * n + src]!;
    const sgn = big < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) vectors[k * n + i] = sgn * v[i * n + src]!;
  });
  return { values, vectors };
}
