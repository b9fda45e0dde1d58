// f64 reference of C[z] = op(A[z]) op(B[z]) (+ bias) over a batch of matrices, in the lane GEMM's
// layouts: nn A [M,K] B [K,N]; nt B stored [N,K]; tn A stored [K,M].
import type { LaneVariant } from '../../kernels/lane_gemm.ts';

export function batchedMatmulRef(a: Float32Array, b: Float32Array, bias: Float32Array | null, batch: number, m: number, n: number, k: number, v: LaneVariant): Float64Array {
  const c = new Float64Array(batch * m * n);
  for (let z = 0; z < batch; z++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = bias ? bias[j]! : 0;
        for (let t = 0; t < k; t++) {
          const av = a[z * m * k + (v === 'tn' ? t * m + i : i * k + t)]!;
          const bv = b[z * k * n + (v === 'nt' ? j * k + t : t * n + j)]!;
          s += av * bv;
        }
        c[(z * m + i) * n + j] = s;
      }
  return c;
}
