// Dispatch of the lane GEMM (kernels/lane_gemm.ts), the CPU adapters' GEMM for plain and
// batched products. No autograd: matmul / linear / Winograd conv record their tape nodes.
import {
  laneB4,
  laneGemmGrid,
  laneGemmKernel,
  LANE_SHAPES,
  type LaneVariant,
} from '../../kernels/lane_gemm.ts';
import type { Tensor } from '../tensor.ts';

/** C [batch, m, n] = op(A) op(B) per batch (+ bias [n] on every row); see LaneVariant for layouts. */
export function laneMatmul(a: Tensor, b: Tensor, variant: LaneVariant, batch: number, m: number, n: number, k: number, bias?: Tensor | null): Tensor {
  const rt = a.rt;
  const out = rt.empty(batch === 1 ? [m, n] : [batch, m, n]);
  if (a.size !== batch * m * k || b.size !== batch * k * n) throw new Error(`lane GEMM: ${a} / ${b} are not ${batch} x [${m}x${k}] / [${k}x${n}]`);
  if (m === 0 || n === 0 || batch === 0) return out;
  const shape = LANE_SHAPES[variant];
  const grid = laneGemmGrid(m, n, batch, shape);
  if (grid.some((g) => g > rt.maxWorkgroups)) throw new Error(`lane GEMM: grid ${grid.join('x')} over the ${rt.maxWorkgroups} limit`);
  const spec = laneGemmKernel(variant, shape, !!bias, laneB4(variant, n));
  const p = { m, n, k };
  rt.dispatch(spec, bias ? { a, b, bias, c: out, p } : { a, b, c: out, p }, grid);
  return out;
}
