// CPU references (f64) for row L2 normalisation u = v / max(|v|, eps) and its backward,
// shared by the Gram, patch-loss and InfoNCE tests.

export function normalizeRowsRef(v: ArrayLike<number>, n: number, q: number, eps = 1e-12): { u: Float64Array; nrm: Float64Array } {
  const u = new Float64Array(n * q), nrm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < q; j++) s += v[i * q + j]! ** 2;
    nrm[i] = Math.max(Math.sqrt(s), eps);
    for (let j = 0; j < q; j++) u[i * q + j] = v[i * q + j]! / nrm[i]!;
  }
  return { u, nrm };
}

/** dv given du, for rows with |v| > eps: dv = (du - u (u . du)) / |v|. */
export function normalizeRowsBackwardRef(u: Float64Array, nrm: Float64Array, du: ArrayLike<number>, n: number, q: number): Float64Array {
  const dv = new Float64Array(n * q);
  for (let i = 0; i < n; i++) {
    let d = 0;
    for (let j = 0; j < q; j++) d += u[i * q + j]! * du[i * q + j]!;
    for (let j = 0; j < q; j++) dv[i * q + j] = (du[i * q + j]! - u[i * q + j]! * d) / nrm[i]!;
  }
  return dv;
}
