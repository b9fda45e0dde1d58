// Kernels over a batch of channels-last images stored back to back: x [B*H*W, C], image b's
// pixel (y, x) at row b*H*W + y*W + x. They give the engine a batch dimension without touching
// the single-image conv kernels: a batched 3x3 convolution is im2col (below) followed by the
// engine's GEMM, and its input gradient is col2im, the exact adjoint of im2col written as a
// gather (each input element sums its 9 taps in a fixed order: deterministic, no atomics).
// Average pooling 2x2 (stride 2, floor) and its backward complete a small CNN encoder.
import { binds, defineKernel, type KernelSpec } from './spec.ts';

const BATCHED_WG = 256;

const head = `@compute @workgroup_size(${BATCHED_WG}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u)`;
const idx = `let i = gid.x + gid.y * (nwg.x * ${BATCHED_WG}u);`;
const UNIFORMS = { count: 'u32', h: 'u32', w: 'u32', c: 'u32' } as const;

/**
 * cols[r, t*C + c] = x[image(r), y(r) + t/3 - 1, x(r) + t%3 - 1, c], 0 outside the image;
 * cols is [B*H*W, 9*C] (row layout of the conv weights [9*Cin, Cout], tap t = ky*3 + kx).
 */
export function im2colKernel() {
  return defineKernel({
    key: 'batched.im2col3x3',
    bindings: binds('x:read', 'cols:read_write', 'p:uniform'),
    uniforms: UNIFORMS,
    workgroup: BATCHED_WG,
    source: (decls) => `${decls}
${head} {
  ${idx}
  if (i >= p.count) { return; }
  let k = 9u * p.c;
  let row = i / k;
  let col = i % k;
  let tap = col / p.c;
  let ch = col % p.c;
  let hw = p.h * p.w;
  let pix = row % hw;
  let yy = i32(pix / p.w) + i32(tap / 3u) - 1;
  let xx = i32(pix % p.w) + i32(tap % 3u) - 1;
  var v = 0.0;
  if (yy >= 0 && yy < i32(p.h) && xx >= 0 && xx < i32(p.w)) {
    v = x[((row - pix) + u32(yy) * p.w + u32(xx)) * p.c + ch];
  }
  cols[i] = v;
}`,
  });
}

/** dx[r, c] = sum over taps t of dcols[r', t*C + c] where r' is the pixel whose tap t reads r. */
export function col2imKernel() {
  return defineKernel({
    key: 'batched.col2im3x3',
    bindings: binds('dcols:read', 'dx:read_write', 'p:uniform'),
    uniforms: UNIFORMS,
    workgroup: BATCHED_WG,
    source: (decls) => `${decls}
${head} {
  ${idx}
  if (i >= p.count) { return; }
  let row = i / p.c;
  let ch = i % p.c;
  let hw = p.h * p.w;
  let pix = row % hw;
  let base = row - pix;
  let y = i32(pix / p.w);
  let x = i32(pix % p.w);
  var acc = 0.0;
  for (var t = 0u; t < 9u; t++) {
    // Tap t of pixel (sy, sx) reads (sy + t/3 - 1, sx + t%3 - 1) = (y, x).
    let sy = y - i32(t / 3u) + 1;
    let sx = x - i32(t % 3u) + 1;
    if (sy >= 0 && sy < i32(p.h) && sx >= 0 && sx < i32(p.w)) {
      acc += dcols[(base + u32(sy) * p.w + u32(sx)) * 9u * p.c + t * p.c + ch];
    }
  }
  dx[i] = acc;
}`,
  });
}

/** y[b, oy, ox, c] = mean of x[b, 2oy + {0,1}, 2ox + {0,1}, c]; out is [B * floor(H/2) * floor(W/2), C]. */
export function avgPool2Kernel() {
  return defineKernel({
    key: 'batched.avgpool2',
    bindings: binds('x:read', 'y:read_write', 'p:uniform'),
    uniforms: UNIFORMS,
    workgroup: BATCHED_WG,
    source: (decls) => `${decls}
${head} {
  ${idx}
  if (i >= p.count) { return; }
  let ho = p.h / 2u;
  let wo = p.w / 2u;
  let orow = i / p.c;
  let ch = i % p.c;
  let img = orow / (ho * wo);
  let op = orow % (ho * wo);
  let y0 = 2u * (op / wo);
  let x0 = 2u * (op % wo);
  let r0 = img * p.h * p.w + y0 * p.w + x0;
  let s = x[r0 * p.c + ch] + x[(r0 + 1u) * p.c + ch] + x[(r0 + p.w) * p.c + ch] + x[(r0 + p.w + 1u) * p.c + ch];
  y[i] = 0.25 * s;
}`,
  });
}

/** dx[b, y, x, c] = dy[b, y/2, x/2, c] / 4 inside the pooled area, 0 in a dropped odd row/column. */
export function avgPool2BackwardKernel() {
  return defineKernel({
    key: 'batched.avgpool2.bwd',
    bindings: binds('dy:read', 'dx:read_write', 'p:uniform'),
    uniforms: UNIFORMS,
    workgroup: BATCHED_WG,
    source: (decls) => `${decls}
${head} {
  ${idx}
  if (i >= p.count) { return; }
  let ho = p.h / 2u;
  let wo = p.w / 2u;
  let row = i / p.c;
  let ch = i % p.c;
  let img = row / (p.h * p.w);
  let pix = row % (p.h * p.w);
  let oy = (pix / p.w) / 2u;
  let ox = (pix % p.w) / 2u;
  var v = 0.0;
  if (oy < ho && ox < wo) { v = 0.25 * dy[((img * ho + oy) * wo + ox) * p.c + ch]; }
  dx[i] = v;
}`,
  });
}

export const batchedImageKernels = (): KernelSpec[] => [im2colKernel(), col2imKernel(), avgPool2Kernel(), avgPool2BackwardKernel()];
