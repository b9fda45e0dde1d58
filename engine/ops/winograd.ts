// 3x3 convolution by Winograd F(2x2, 3x3) (kernels/winograd.ts): transforms as small kernels,
// the 16 products as one batched GEMM each way. Forward, dX and dW all run at 16/36 of the
// implicit GEMM's multiplies. No autograd here: conv2d (./conv2d.ts) records the tape node.
import {
  winogradGatherKernel,
  winogradGrid,
  winogradInputKernel,
  winogradInputTransposeKernel,
  winogradOutputKernel,
  winogradOutputTransposeKernel,
  winogradWeightKernel,
  winogradWeightTransposeKernel,
} from '../../kernels/winograd.ts';
import { batchedMatmulFamily, gemmGrid, gemmKernel, gemmParams, type GemmTile } from '../../kernels/matmul.ts';
import { params } from '../params.ts';
import type { Tensor } from '../tensor.ts';
import { laneMatmul } from './lane_gemm.ts';
import { gemmPlan, isCpuAdapter } from './matmul.ts';

export interface WinogradDims {
  height: number;
  width: number;
}

const tilesOf = ({ height, width }: WinogradDims) => {
  const tw = Math.ceil(width / 2);
  return { tw, t: Math.ceil(height / 2) * tw };
};

/**
 * C[b] = op(A[b]) op(B[b]) for b < batch: a, b, out are stacks ([batch, ...] flattened).
 * A is [M, K] per batch ([K, M] when transA), B [K, N] ([N, K] when transB).
 */
export function batchedMatmulRaw(a: Tensor, b: Tensor, batch: number, m: number, n: number, k: number, transA = false, transB = false, tile?: GemmTile): Tensor {
  if (a.size !== batch * m * k || b.size !== batch * k * n)
    throw new Error(`batchedMatmul: ${a} / ${b} are not ${batch} x [${m}x${k}] / [${k}x${n}] stacks`);
  if (transA && transB) throw new Error('batchedMatmul: A^T B^T is not supported');
  const rt = a.rt;
  if (batch > rt.maxWorkgroups) throw new Error(`batchedMatmul: batch ${batch} over the ${rt.maxWorkgroups} limit`);
  // CPU adapters: the lane GEMM (1.2-2.2x the tiled core there); GPUs: workgroup-memory tiles.
  if (!tile && isCpuAdapter(rt)) return laneMatmul(a, b, transA ? 'tn' : transB ? 'nt' : 'nn', batch, m, n, k);
  const out = rt.empty([batch, m, n]);
  if (m === 0 || n === 0 || batch === 0) return out;
  const plan = gemmPlan(rt, m, n, k * batch, tile, false);
  const t = plan as GemmTile; // directOk = false: always a tile
  const fill4 = (transA ? m : k) % 4 === 0 && (transB ? k : n) % 4 === 0;
  const spec = gemmKernel(batchedMatmulFamily(transA, transB), { tile: t, fill4, store4: n % 4 === 0, batched: true });
  const [gx, gy] = gemmGrid(m, n, 1, t);
  rt.dispatch(spec, { a, b, c: out, p: params(...gemmParams(m, n, k, k)) }, [gx, gy, batch]);
  return out;
}

function tileParams(c: number, dims: WinogradDims): Uint32Array {
  const { tw, t } = tilesOf(dims);
  return params(c, dims.height, dims.width, tw, t);
}

/** U [16, Cin, Cout] and Ut [16, Cout, Cin] from the weight [9*Cin, Cout]. */
export function winogradWeight(w: Tensor): { u: Tensor; ut: Tensor } {
  const cin = w.shape[0]! / 9, cout = w.shape[1]!;
  const u = w.rt.empty([16, cin, cout]), ut = w.rt.empty([16, cout, cin]);
  w.rt.dispatch(winogradWeightKernel(), { src: w, dst: u, dstT: ut, p: params(cout, cin) }, winogradGrid(cout, cin));
  return { u, ut };
}

/** V [16, T, C] from x [H*W, C]. */
export function winogradInput(x: Tensor, dims: WinogradDims): Tensor {
  const c = x.shape[1]!, { t } = tilesOf(dims);
  const out = x.rt.empty([16, t, c]);
  x.rt.dispatch(winogradInputKernel(), { src: x, dst: out, p: tileParams(c, dims) }, winogradGrid(c, t));
  return out;
}

/** Forward: y [H*W, Cout] (+ bias). Returns y and the V it made (the backward's dW needs it). */
export function winogradConvForward(x: Tensor, w: Tensor, bias: Tensor | null, dims: WinogradDims): { y: Tensor; v: Tensor; ut: Tensor } {
  const rt = x.rt;
  const cin = x.shape[1]!, cout = w.shape[1]!, { t } = tilesOf(dims);
  const { u, ut } = winogradWeight(w);
  const v = winogradInput(x, dims);
  const m = batchedMatmulRaw(v, u, 16, t, cout, cin);
  const y = rt.empty([dims.height * dims.width, cout]);
  rt.dispatch(winogradOutputKernel(!!bias), bias ? { src: m, bias, dst: y, p: tileParams(cout, dims) } : { src: m, dst: y, p: tileParams(cout, dims) }, winogradGrid(cout, t));
  m.dispose();
  u.dispose();
  return { y, v, ut };
}

/** dM [16, T, Cout] from dY [H*W, Cout]. */
export function winogradOutputGrad(g: Tensor, dims: WinogradDims): Tensor {
  const cout = g.shape[1]!, { t } = tilesOf(dims);
  const out = g.rt.empty([16, t, cout]);
  g.rt.dispatch(winogradOutputTransposeKernel(), { src: g, dst: out, p: tileParams(cout, dims) }, winogradGrid(cout, t));
  return out;
}

/** dX [H*W, Cin] from dM and Ut. */
export function winogradInputGrad(dm: Tensor, ut: Tensor, dims: WinogradDims): Tensor {
  const rt = dm.rt;
  const cout = ut.shape[1]!, cin = ut.shape[2]!, { t } = tilesOf(dims);
  const dv = batchedMatmulRaw(dm, ut, 16, t, cin, cout);
  const patches = rt.empty([16, t, cin]);
  rt.dispatch(winogradInputTransposeKernel(), { src: dv, dst: patches, p: tileParams(cin, dims) }, winogradGrid(cin, t));
  dv.dispose();
  const pixels = dims.height * dims.width;
  const dx = rt.empty([pixels, cin]);
  rt.dispatch(winogradGatherKernel(), { src: patches, dst: dx, p: tileParams(cin, dims) }, winogradGrid(cin, pixels));
  patches.dispose();
  return dx;
}

/** dW [9*Cin, Cout] from V and dM. */
export function winogradWeightGrad(v: Tensor, dm: Tensor, dims: WinogradDims): Tensor {
  const rt = v.rt;
  const cin = v.shape[2]!, cout = dm.shape[2]!, { t } = tilesOf(dims);
  const du = batchedMatmulRaw(v, dm, 16, cin, cout, t, true, false);
  const dw = rt.empty([9 * cin, cout]);
  rt.dispatch(winogradWeightTransposeKernel(), { src: du, dst: dw, p: params(cout, cin) }, winogradGrid(cout, cin));
  du.dispose();
  return dw;
}
