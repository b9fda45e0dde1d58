// 3x3 convolution by Winograd F(m x m, 3x3) (kernels/winograd.ts): transforms as small kernels,
// the (m+2)^2 products as one batched GEMM each way. Forward, dX and dW all run at 16/36 (m = 2)
// or 36/144 (m = 4) of the implicit GEMM's multiplies. No autograd here: conv2d (./conv2d.ts) records the tape node.
import {
  winogradGatherKernel,
  winogradGrid,
  winogradInputKernel,
  winogradInputTransposeKernel,
  winogradOutputKernel,
  winogradOutputTransposeKernel,
  winogradWeightKernel,
  winogradWeightTransposeKernel,
  winogradProducts,
  type WinogradTile,
} from '../../kernels/winograd.ts';
import type { Tensor } from '../tensor.ts';
import { batchedMatmulRaw } from './matmul.ts';

export interface WinogradDims {
  height: number;
  width: number;
  /** Output tile side: 2 for F(2x2, 3x3), 4 for F(4x4, 3x3) (the default, see conv2d). */
  winograd?: WinogradTile;
}

const tileOf = (dims: WinogradDims): WinogradTile => dims.winograd ?? 4;

/** Tiles of an image and the number of products per tile. */
export const tilesOf = (dims: WinogradDims) => {
  const m = tileOf(dims);
  const tw = Math.ceil(dims.width / m);
  return { m, tw, t: Math.ceil(dims.height / m) * tw, xi: winogradProducts(m) };
};


function tileParams(c: number, dims: WinogradDims) {
  const { tw, t } = tilesOf(dims);
  return { c, h: dims.height, w: dims.width, tw, t };
}

/** U [a^2, Cin, Cout] and Ut [a^2, Cout, Cin] from the weight [9*Cin, Cout]. */
export function winogradWeight(w: Tensor, dims: WinogradDims): { u: Tensor; ut: Tensor } {
  const cin = w.shape[0]! / 9, cout = w.shape[1]!, { m, xi } = tilesOf(dims);
  const u = w.rt.empty([xi, cin, cout]), ut = w.rt.empty([xi, cout, cin]);
  w.rt.dispatch(winogradWeightKernel(m), { src: w, dst: u, dstT: ut, p: { c: cout, cin } }, winogradGrid(cout, cin));
  return { u, ut };
}

/** V [a^2, T, C] from x [H*W, C]. */
export function winogradInput(x: Tensor, dims: WinogradDims): Tensor {
  const c = x.shape[1]!, { m, t, xi } = tilesOf(dims);
  const out = x.rt.empty([xi, t, c]);
  x.rt.dispatch(winogradInputKernel(m), { src: x, dst: out, p: tileParams(c, dims) }, winogradGrid(c, t));
  return out;
}

/** Forward: y [H*W, Cout] (+ bias). Returns y, and the V and Ut the backward needs. */
export function winogradConvForward(x: Tensor, w: Tensor, bias: Tensor | null, dims: WinogradDims): { y: Tensor; v: Tensor; ut: Tensor } {
  const rt = x.rt;
  const cin = x.shape[1]!, cout = w.shape[1]!, { m, t, xi } = tilesOf(dims);
  const { u, ut } = winogradWeight(w, dims);
  const v = winogradInput(x, dims);
  const prod = batchedMatmulRaw(v, u, xi, t, cout, cin);
  const y = rt.empty([dims.height * dims.width, cout]);
  const p = tileParams(cout, dims);
  rt.dispatch(winogradOutputKernel(!!bias, m), bias ? { src: prod, bias, dst: y, p } : { src: prod, dst: y, p }, winogradGrid(cout, t));
  prod.dispose();
  u.dispose();
  return { y, v, ut };
}

/** dM [a^2, T, Cout] from dY [H*W, Cout]. */
export function winogradOutputGrad(g: Tensor, dims: WinogradDims): Tensor {
  const cout = g.shape[1]!, { m, t, xi } = tilesOf(dims);
  const out = g.rt.empty([xi, t, cout]);
  g.rt.dispatch(winogradOutputTransposeKernel(m), { src: g, dst: out, p: tileParams(cout, dims) }, winogradGrid(cout, t));
  return out;
}

/** dX [H*W, Cin] from dM and Ut. */
export function winogradInputGrad(dm: Tensor, ut: Tensor, dims: WinogradDims): Tensor {
  const rt = dm.rt;
  const cout = ut.shape[1]!, cin = ut.shape[2]!, { m, t, xi } = tilesOf(dims);
  const dv = batchedMatmulRaw(dm, ut, xi, t, cin, cout);
  const patches = rt.empty([xi, t, cin]);
  rt.dispatch(winogradInputTransposeKernel(m), { src: dv, dst: patches, p: tileParams(cin, dims) }, winogradGrid(cin, t));
  dv.dispose();
  const pixels = dims.height * dims.width;
  const dx = rt.empty([pixels, cin]);
  rt.dispatch(winogradGatherKernel(m), { src: patches, dst: dx, p: tileParams(cin, dims) }, winogradGrid(cin, pixels));
  patches.dispose();
  return dx;
}

/** dW [9*Cin, Cout] from V and dM. */
export function winogradWeightGrad(v: Tensor, dm: Tensor, dims: WinogradDims): Tensor {
  const rt = v.rt;
  const cin = v.shape[2]!, cout = dm.shape[2]!, { m, t, xi } = tilesOf(dims);
  const du = batchedMatmulRaw(v, dm, xi, cin, cout, t, true, false);
  const dw = rt.empty([9 * cin, cout]);
  rt.dispatch(winogradWeightTransposeKernel(m), { src: du, dst: dw, p: { c: cout, cin } }, winogradGrid(cout, cin));
  du.dispose();
  return dw;
}
