// Cosine-similarity Gram matrices and the strided row gather, with backward rules.
// cosineGram(v) = G(N(v)) where N normalises rows and G(u) = U U^T; each piece records its
// own tape node, so the backward is (dS + dS^T) U followed by the normalisation backward.
import {
  gramFamily,
  gramFill4,
  normalizeRowsBackwardKernel,
  normalizeRowsKernel,
  stridedRowsKernel,
  type OpA,
  type OpB,
} from '../../kernels/gram.ts';
import type { GemmTile } from '../../kernels/matmul.ts';
import { gemmTile } from './gemm_policy.ts';
import { runGemm } from './matmul.ts';
import type { Tensor } from '../tensor.ts';

/** Options of the Gram ops: `tile` forces a GEMM tile (tests, benchmarks); default gemmPlan's. */
export interface GramOptions {
  tile?: GemmTile;
}

function matrix(op: string, t: Tensor): [number, number] {
  if (t.shape.length !== 2) throw new Error(`${op}: expected a matrix, got ${t}`);
  return [t.shape[0]!, t.shape[1]!];
}

/**
 * C [m, n] = opA(a) opB(b) with inner size k; no tape record. `patch` supplies the extra
 * inputs of opA = 'patch' (see kernels/gram.ts). `symOut` (C = X X^T) runs only the tiles on
 * and above the diagonal where the tile is square (gemmPlan's are), else the full product,
 * which is exactly symmetric too (same fma chain for c_ij and c_ji).
 */
export function gramGemmRaw(
  a: Tensor,
  b: Tensor,
  opA: OpA,
  opB: OpB,
  [m, n, k]: [number, number, number],
  { symOut = false, patch, tile }: { symOut?: boolean; patch?: { coef: Tensor; g: Tensor; threshold: number }; tile?: GemmTile } = {},
): Tensor {
  if ((opA === 'patch') !== !!patch) throw new Error("gramGemmRaw: opA 'patch' needs (only) the patch inputs");
  const t = gemmTile(a.rt, m, n, k, tile);
  return runGemm(a.rt, {
    family: gramFamily(opA, opB),
    a,
    b,
    m,
    n,
    k,
    tile: t,
    // No split-K: each entry stays one fma chain over k in order whatever the tile, the
    // values of the Gram kernels this generator replaced, on every adapter.
    split: 1,
    fill4: gramFill4(opA, opB, m, n, k),
    symmetric: symOut && t.bm === t.bn,
    ...(patch ? { inputs: { coef: patch.coef, g: patch.g }, extra: { t: patch.threshold } } : {}),
  });
}

/** Rows of v [n, q] divided by max(|row|, eps) (torch.nn.functional.normalize). */
export function l2NormalizeRows(v: Tensor, eps = 1e-12): Tensor {
  const [n, q] = matrix('l2NormalizeRows', v);
  const rt = v.rt;
  const u = rt.empty(v.shape);
  const p = { n, q, eps };
  rt.dispatch(normalizeRowsKernel(), { v, u, p }, n);
  return rt.tape.record('l2NormalizeRows', [v], u, (du) => {
    const dv = rt.empty(v.shape);
    rt.dispatch(normalizeRowsBackwardKernel(), { v, du, dv, p }, n);
    return [dv];
  });
}

/** S = U U^T [n, n] for u [n, q]; only the upper tiles are computed, S is exactly symmetric. */
export function gramSelf(u: Tensor, { tile }: GramOptions = {}): Tensor {
  const [n, q] = matrix('gramSelf', u);
  const s = gramGemmRaw(u, u, 'n', 't', [n, n, q], { symOut: true, tile });
  return u.rt.tape.record('gramSelf', [u], s, [(g) => gramGemmRaw(g, u, 'sym', 'n', [n, q, n], { tile })]);
}

/** S = A B^T [n, m] for a [n, q], b [m, q]. Backward: dA = G B, dB = G^T A. */
export function gramCross(a: Tensor, b: Tensor, { tile }: GramOptions = {}): Tensor {
  const [n, q] = matrix('gramCross', a);
  const [m, qb] = matrix('gramCross', b);
  if (q !== qb) throw new Error(`gramCross: ${a} and ${b} differ in columns`);
  const s = gramGemmRaw(a, b, 'n', 't', [n, m, q], { tile });
  return a.rt.tape.record('gramCross', [a, b], s, [(g) => gramGemmRaw(g, b, 'n', 'n', [n, q, m], { tile }), (g) => gramGemmRaw(g, a, 't', 'n', [m, q, n], { tile })]);
}

/** Cosine similarities of all row pairs of v [n, q] -> [n, n] (diagonal included). */
export function cosineGram(v: Tensor, eps = 1e-12, opts: GramOptions = {}): Tensor {
  return gramSelf(l2NormalizeRows(v, eps), opts);
}

/** Cosine similarities s_ij = cos(a_i, b_j) -> [n, m]. */
export function cosineCross(a: Tensor, b: Tensor, eps = 1e-12, opts: GramOptions = {}): Tensor {
  return gramCross(l2NormalizeRows(a, eps), l2NormalizeRows(b, eps), opts);
}

/**
 * Rows of r [H*W, C] at pixels with y % stride == 0 and x % stride == 0, row-major ->
 * [ceil(H/stride) * ceil(W/stride), C] (1225 rows for 70 x 70, stride 2). Backward scatters.
 */
export function stridedRows(r: Tensor, height: number, width: number, stride: number): Tensor {
  const [rows, c] = matrix('stridedRows', r);
  if (rows !== height * width) throw new Error(`stridedRows: ${r} is not [${height}*${width}, C]`);
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`stridedRows: bad stride ${stride}`);
  const hs = Math.ceil(height / stride), ws = Math.ceil(width / stride);
  const rt = r.rt;
  const out = rt.empty([hs * ws, c]);
  const p = { h: height, w: width, c, s: stride, hs, ws };
  rt.dispatch(stridedRowsKernel(false), { src: r, dst: out, p }, hs * ws);
  return rt.tape.record('stridedRows', [r], out, (g) => {
    const dr = rt.empty(r.shape);
    rt.dispatch(stridedRowsKernel(true), { src: g, dst: dr, p }, rows);
    return [dr];
  });
}
