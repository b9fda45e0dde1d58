// 3x3 convolution, stride 1, zero padding 1, channels-last, as implicit GEMMs on the tiled
// core of kernels/matmul.ts: the im2col matrix is never materialised, the A loader gathers
// its elements straight from the feature map (zero outside the image).
//
// Layouts (H, W the image size, P = H*W pixels):
//   x       [P, Cin]          pixel p = y*W + x, channels fastest
//   weight  [9*Cin, Cout]     row (tap*Cin + ci), tap = ky*3 + kx; tap (ky, kx) reads the
//                             neighbour at (y + ky - 1, x + kx - 1) (cross-correlation, as
//                             PyTorch's conv2d; PyTorch's [Cout, Cin, 3, 3] maps to ours by
//                             w[(ky*3 + kx)*Cin + ci, co] = wt[co, ci, ky, kx])
//   out     [P, Cout]
// Forward:  out = im2col(x) [P, 9*Cin] . weight                         (M=P, N=Cout, K=9*Cin)
// dX:       dx[p, ci] = sum_{tap, co} g[p - off(tap), co] w[tap*Cin + ci, co]
//           = a conv of g with the flipped, transposed kernel            (M=P, N=Cin, K=9*Cout)
// dW:       dw = im2col(x)^T [9*Cin, P] . g [P, Cout], K = pixels, split-K (M=9*Cin, N=Cout, K=P)
// db:       column sum of g (the reduce family's one-pass column layout, kernels/reduce.ts).
import { gemmKernel, type GemmFamily, type GemmKernelOptions } from './matmul.ts';
import type { KernelSpec } from './spec.ts';

/**
 * WGSL (divu: the core's vector-friendly division, exact for images up to 2^24 pixels with
 * fewer than 2^21 rows):
 * the pixel `m` shifted by tap offset (dy, dx) = sign * (tap/3 - 1, tap%3 - 1), as a
 * flat index, or -1 outside the image (zero padding).
 */
const shiftedPixel = `fn shifted(m: u32, tap: u32, sign: i32) -> i32 {
  let row = divu(m, p.w);
  let y = i32(row) + sign * (i32(tap / 3u) - 1);
  let x = i32(m - row * p.w) + sign * (i32(tap % 3u) - 1);
  if (y < 0 || y >= i32(p.h) || x < 0 || x >= i32(p.w)) { return -1; }
  return y * i32(p.w) + x;
}`;

/** Forward: a = x [P, Cin], b = weight [9*Cin, Cout]. Uniform extras: h, w, cin. */
export const conv3x3Forward: GemmFamily = {
  name: 'conv3x3.fwd',
  extraFields: ['h', 'w', 'cin'],
  loaders: `${shiftedPixel}
fn loadA(m: u32, k: u32) -> f32 {
  let tap = divu(k, p.cin);
  let q = shifted(m, tap, 1);
  if (q < 0) { return 0.0; }
  return a[u32(q) * p.cin + (k - tap * p.cin)];
}
fn loadB(k: u32, n: u32) -> f32 { return b[k * p.n + n]; }`,
  // 4 consecutive channels of one tap (Cin % 4 = 0), 4 consecutive output channels (Cout % 4 = 0).
  loaders4: `${shiftedPixel}
fn loadA4(m: u32, k: u32) -> vec4<f32> {
  let tap = divu(k, p.cin);
  let q = shifted(m, tap, 1);
  if (q < 0) { return vec4<f32>(); }
  return a[(u32(q) * p.cin + (k - tap * p.cin)) / 4u];
}
fn loadB4(k: u32, n: u32) -> vec4<f32> { return b[(k * p.n + n) / 4u]; }`,
  aKFast: true,
  bKFast: false,
};

/** dX: a = g [P, Cout], b = weight [9*Cin, Cout]; K index = tap*Cout + co. Extras: h, w, cout. */
export const conv3x3BackwardInput: GemmFamily = {
  name: 'conv3x3.dx',
  extraFields: ['h', 'w', 'cout'],
  loaders: `${shiftedPixel}
fn loadA(m: u32, k: u32) -> f32 {
  let tap = divu(k, p.cout);
  let q = shifted(m, tap, -1);
  if (q < 0) { return 0.0; }
  return a[u32(q) * p.cout + (k - tap * p.cout)];
}
fn loadB(k: u32, n: u32) -> f32 {
  let tap = divu(k, p.cout);
  return b[(tap * p.n + n) * p.cout + (k - tap * p.cout)];
}`,
  // Both operands run along output channels (Cout % 4 = 0).
  loaders4: `${shiftedPixel}
fn loadA4(m: u32, k: u32) -> vec4<f32> {
  let tap = divu(k, p.cout);
  let q = shifted(m, tap, -1);
  if (q < 0) { return vec4<f32>(); }
  return a[(u32(q) * p.cout + (k - tap * p.cout)) / 4u];
}
fn loadB4(k: u32, n: u32) -> vec4<f32> {
  let tap = divu(k, p.cout);
  return b[((tap * p.n + n) * p.cout + (k - tap * p.cout)) / 4u];
}`,
  aKFast: true,
  bKFast: true,
};

/** dW: a = x [P, Cin] read as im2col^T (M index = tap*Cin + ci), b = g [P, Cout]. Extras: h, w, cin. */
export const conv3x3BackwardWeight: GemmFamily = {
  name: 'conv3x3.dw',
  extraFields: ['h', 'w', 'cin'],
  loaders: `${shiftedPixel}
fn loadA(m: u32, k: u32) -> f32 {
  let tap = divu(m, p.cin);
  let q = shifted(k, tap, 1);
  if (q < 0) { return 0.0; }
  return a[u32(q) * p.cin + (m - tap * p.cin)];
}
fn loadB(k: u32, n: u32) -> f32 { return b[k * p.n + n]; }`,
  // 4 consecutive input channels of one tap (Cin % 4 = 0), 4 output channels (Cout % 4 = 0).
  loaders4: `${shiftedPixel}
fn loadA4(m: u32, k: u32) -> vec4<f32> {
  let tap = divu(m, p.cin);
  let q = shifted(k, tap, 1);
  if (q < 0) { return vec4<f32>(); }
  return a[(u32(q) * p.cin + (m - tap * p.cin)) / 4u];
}
fn loadB4(k: u32, n: u32) -> vec4<f32> { return b[(k * p.n + n) / 4u]; }`,
  aKFast: false,
  bKFast: false,
};

/** Whether the conv GEMMs can fill their tiles with vec4 loads (channel counts multiples of 4). */
export const convFill4 = (cin: number, cout: number) => ({ forward: cin % 4 === 0 && cout % 4 === 0, dx: cout % 4 === 0, dw: cin % 4 === 0 && cout % 4 === 0 });

export function conv3x3ForwardKernel(opts: GemmKernelOptions = {}) {
  return gemmKernel(conv3x3Forward, opts);
}

export function conv3x3BackwardInputKernel(opts: GemmKernelOptions = {}) {
  return gemmKernel(conv3x3BackwardInput, opts);
}

export function conv3x3BackwardWeightKernel(opts: GemmKernelOptions = {}) {
  return gemmKernel(conv3x3BackwardWeight, opts);
}
