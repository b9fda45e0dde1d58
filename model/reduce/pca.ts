// PCA on the GPU where it pays: the N x C data are centred on the CPU (one pass), the C x C
// covariance X^T X and the projection X V run as GPU GEMMs; the small C x C eigenproblem is
// solved on the CPU (Jacobi). Signs follow scikit-learn's svd_flip-like rule (see eigen.ts).
import { matmulRaw, type Runtime } from '../../engine/index.ts';
import { symmetricEigen } from './eigen.ts';

export interface PcaResult {
  /** Row-major [n, k]. */
  scores: Float32Array;
  /** Explained variance ratio of each kept component. */
  explained: number[];
}

export async function pcaReduce(rt: Runtime, x: Float32Array, n: number, c: number, k = 3): Promise<PcaResult> {
  if (k > c) throw new Error(`PCA: cannot keep ${k} components of ${c} features`);
  const mean = new Float64Array(c);
  for (let i = 0; i < n; i++) for (let j = 0; j < c; j++) mean[j] += x[i * c + j]!;
  for (let j = 0; j < c; j++) mean[j] /= n;
  const centred = new Float32Array(n * c);
  for (let i = 0; i < n; i++) for (let j = 0; j < c; j++) centred[i * c + j] = x[i * c + j]! - mean[j]!;

  return rt.scopeAsync(async () => {
    const xc = rt.fromData(centred, [n, c]);
    const gram = (await matmulRaw(xc, xc, { transA: true }).read()) as Float32Array;
    const cov = new Float64Array(c * c);
    const denom = Math.max(1, n - 1);
    // Symmetrise: the GEMM's two triangles may differ in the last bit.
    for (let i = 0; i < c; i++) for (let j = 0; j < c; j++) cov[i * c + j] = (gram[i * c + j]! + gram[j * c + i]!) / (2 * denom);
    const { values, vectors } = symmetricEigen(cov, c);
    const w = new Float32Array(c * k); // [c, k]
    for (let j = 0; j < k; j++) for (let i = 0; i < c; i++) w[i * k + j] = vectors[j * c + i]!;
    const scores = (await matmulRaw(xc, rt.fromData(w, [c, k])).read()) as Float32Array;
    let total = 0;
    for (const v of values) total += Math.max(v, 0);
    const explained = Array.from(values.subarray(0, k), (v) => (total > 0 ? Math.max(v, 0) / total : 0));
    return { scores, explained };
  });
}
