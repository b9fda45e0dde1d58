// MSInet's thresholded patch loss on a similarity matrix, with its backward rule. The masks
// and counts never leave the GPU; only the n x n matrix is materialised (never n x n x q).
import {
  patchBackwardKernel,
  patchFinalKernel,
  patchPartialsKernel,
} from '../../kernels/patch_loss.ts';
import type { GemmTile } from '../../kernels/matmul.ts';
import type { Tensor } from '../tensor.ts';
import { scale } from './elementwise.ts';
import { usesLaneGram } from './gemm_policy.ts';
import { gramGemmRaw, l2NormalizeRows } from './gram.ts';
import { matmulRaw } from './matmul.ts';

/**
 * s [n, n] (e.g. cosineGram, diagonal included) -> [1]:
 *   mean(1 - s[s > t]) + mean(relu(s[s < t])), with a mean over an empty set counting 0.
 * Entries equal to t belong to neither set. Backward: -1/#pos on positives, 1/#neg on
 * negatives with s > 0, times the upstream scalar (counts are constants, as in PyTorch).
 */
export function patchLoss(s: Tensor, threshold = 0.55): Tensor {
  if (s.shape.length !== 2) throw new Error(`patchLoss: expected a similarity matrix, got ${s}`);
  const { loss, coef } = patchStats(s, threshold);
  const rt = s.rt;
  const total = s.size;
  return rt.tape.record('patchLoss', [s], loss, (g) => {
    const ds = rt.empty(s.shape);
    rt.dispatch(patchBackwardKernel(), { s, coef, g, ds, p: { total, t: threshold } }, total);
    return [ds];
  });
}

/** The loss [1] and the coefficients (1/#pos, 1/#neg) [2], all on the GPU. No tape record. */
function patchStats(s: Tensor, threshold: number): { loss: Tensor; coef: Tensor } {
  const rt = s.rt;
  const parts = s.shape[0] ?? 1;
  const cols = s.size / Math.max(parts, 1);
  const psum = rt.empty([2 * parts]);
  const pcnt = rt.empty([2 * parts], 'u32');
  rt.dispatch(patchPartialsKernel(), { s, psum, pcnt, p: { rows: parts, cols, t: threshold, off: 0 } }, parts);
  return patchFinal(psum, pcnt, parts);
}

/** Stage 2 over `parts` row partials; frees them. */
function patchFinal(psum: Tensor, pcnt: Tensor, parts: number): { loss: Tensor; coef: Tensor } {
  const rt = psum.rt;
  const loss = rt.empty([1]);
  const coef = rt.empty([2]);
  rt.dispatch(patchFinalKernel(), { psum, pcnt, loss, coef, p: { parts } }, [1, 1, 1]);
  psum.dispose();
  pcnt.dispose();
  return { loss, coef };
}

/**
 * patchLoss(cosineGram(v), threshold) for v [n, q], fused for speed (MSInet's L_patch):
 * same value and gradient, but the backward is a single GEMM dU = 2 g w(S) U whose operand
 * loader applies the loss derivative w to S on the fly (no n x n gradient, S read once),
 * followed by the normalisation backward. `tile` forces that tiled form with this GEMM tile
 * (tests, benchmarks) where CPU adapters would take the lane GEMM.
 */
export function patchLossOfRows(v: Tensor, threshold = 0.55, opts: { blockRows?: number; tile?: GemmTile } = {}): Tensor {
  const { tile } = opts;
  const u = l2NormalizeRows(v);
  const [n, q] = [u.shape[0]!, u.shape[1]!];
  const rt = v.rt;
  // S in row blocks when the whole n x n matrix would not fit one binding (lavapipe: 128 MiB,
  // n > 5792, i.e. images above ~150 x 150 at stride 2).
  const blockRows = opts.blockRows ?? Math.max(1, Math.floor(rt.maxBinding / (4 * n)));
  // CPU adapters take the materialised form on the lane GEMM (kernels/lane_gemm.ts), which
  // compiles in seconds; the tiled Gram below would get gemmPlan's tiles there (CPU_TILE's
  // 16x16 register blocks at MSInet's 1225 x 100: seconds of cold compile per kernel, see
  // kernels/matmul.ts).
  if (blockRows < n || usesLaneGram(rt, tile)) return rowBlockPatchLoss(u, threshold, Math.min(blockRows, n));
  const s = gramGemmRaw(u, u, 'n', 't', [n, n, q], { symOut: true, tile });
  const { loss, coef } = patchStats(s, threshold);
  // S (n x n) is the node's alone: backward({ release: true }) frees it as soon as dU is recorded.
  return rt.tape.record('patchLossOfRows', [u], loss, [(g) => gramGemmRaw(s, u, 'patch', 'n', [n, q, n], { patch: { coef, g, threshold }, tile })], [s, coef]);
}

/**
 * The patch loss from S = U U^T materialised one row block at a time (one block when it fits a
 * binding): S_b = U_b U^T [b, n] gives its rows' partial sums, and dU_b = 2 g w(S_b) U (S is
 * symmetric, so the rows of (dS + dS^T) U are those of 2 dS U; the plain products keep it exactly
 * symmetric, a[i]*a[j] = a[j]*a[i]). With several blocks the backward recomputes each S_b (twice
 * the Gram FLOPs, no binding larger than b x n); one block is kept from the forward. Same value
 * and gradient as the fused form up to f32 rounding.
 */
function rowBlockPatchLoss(u: Tensor, threshold: number, blockRows: number): Tensor {
  const rt = u.rt;
  const [n, q] = [u.shape[0]!, u.shape[1]!];
  const blocks: Array<[number, number]> = [];
  for (let i0 = 0; i0 < n; i0 += blockRows) blocks.push([i0, Math.min(n, i0 + blockRows)]);
  const single = blocks.length === 1;
  const gramRows = (i0: number, i1: number) => {
    if (single) return matmulRaw(u, u, { transB: true });
    const ub = rt.empty([i1 - i0, q]);
    rt.copyRange(u, i0 * q, ub, 0, (i1 - i0) * q);
    const sb = matmulRaw(ub, u, { transB: true });
    ub.dispose();
    return sb;
  };
  const psum = rt.empty([2 * n]);
  const pcnt = rt.empty([2 * n], 'u32');
  let kept: Tensor | null = null;
  for (const [i0, i1] of blocks) {
    const sb = gramRows(i0, i1);
    rt.dispatch(patchPartialsKernel(), { s: sb, psum, pcnt, p: { rows: i1 - i0, cols: n, t: threshold, off: i0 } }, i1 - i0);
    if (single) kept = sb;
    else sb.dispose();
  }
  const { loss, coef } = patchFinal(psum, pcnt, n);
  return rt.tape.record('patchLossOfRows', [u], loss, (g) => {
    const du = single ? null : rt.empty([n, q]);
    for (const [i0, i1] of blocks) {
      const sb = kept ?? gramRows(i0, i1);
      const dsb = rt.empty(sb.shape);
      rt.dispatch(patchBackwardKernel(), { s: sb, coef, g, ds: dsb, p: { total: sb.size, t: threshold } }, sb.size);
      const half = matmulRaw(dsb, u);
      const dub = scale(half, 2);
      for (const t of [sb, dsb, half]) t.dispose();
      if (!du) return [dub];
      rt.copyRange(dub, 0, du, i0 * q, (i1 - i0) * q);
      dub.dispose();
    }
    return [du];
  });
}
