// Row softmax and softmax cross-entropy over [N, C] logits (channels-last: one row per pixel).
// One workgroup per row: the threads stride over the row's C entries, then reduce in
// workgroup memory (max first, then the sum of exp(x - max), so large logits never overflow).
// Rows fold into a 2-D grid (rowGrid) so N may exceed 65535.
import { treeReduceWgsl } from './loss_reduce.ts';
import { binds, bindingsWgsl, defineKernel, grid1d, type KernelSpec } from './spec.ts';

/** Threads per row: C is ~100-257 here, so 64 threads touch each logit 2-4 times. */
export const ROW_WG = 64;
/** Threads of the elementwise backward. */
export const XENT_EW_WG = 256;

/** Smallest finite f32: the identity of max() that never produces inf - inf = NaN. */
const NEG_BIG = '-3.402823e38';

/** One workgroup per row, folded into x/y like grid1d. */
export const rowGrid = (rows: number) => grid1d(rows, 1);

const rowHead = `@compute @workgroup_size(${ROW_WG}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32)`;

/**
 * WGSL body prefix shared by the row kernels: `row`, `ok` (row in range), `base`, then
 * `rmax` = max of x over the row and `rsum` = sum exp(x - rmax). `xs` scales x (1/T).
 */
export function rowLogSumExpWgsl(x: string, n: string, c: string, xs = '1.0'): string {
  return `let row = wid.x + wid.y * nwg.x;
  let ok = row < ${n};
  let base = row * ${c};
  var m = ${NEG_BIG};
  if (ok) { for (var j = lid; j < ${c}; j += ${ROW_WG}u) { m = max(m, ${x}[base + j] * ${xs}); } }
  red[lid] = m;
  ${treeReduceWgsl('red', 'lid', ROW_WG, 'max(a, b)')}
  let rmax = red[0];
  workgroupBarrier();
  var s = 0.0;
  if (ok) { for (var j = lid; j < ${c}; j += ${ROW_WG}u) { s += exp(${x}[base + j] * ${xs} - rmax); } }
  red[lid] = s;
  ${treeReduceWgsl('red', 'lid', ROW_WG, 'a + b')}
  let rsum = red[0];`;
}

/** y = softmax(x) per row. */
export function softmaxKernel(): KernelSpec {
  const b = binds('x:read', 'y:read_write', 'p:uniform');
  return defineKernel(
    `softmax.fwd.wg${ROW_WG}`,
    `struct P { n: u32, c: u32 }
${bindingsWgsl(b, { x: 'array<f32>', y: 'array<f32>', p: 'P' })}
var<workgroup> red: array<f32, ${ROW_WG}>;
${rowHead} {
  ${rowLogSumExpWgsl('x', 'p.n', 'p.c')}
  let inv = 1.0 / rsum;
  if (ok) { for (var j = lid; j < p.c; j += ${ROW_WG}u) { y[base + j] = exp(x[base + j] - rmax) * inv; } }
}`,
    b,
  );
}

/** dx = y * (dy - sum_c dy * y) per row (the softmax Jacobian-vector product). */
export function softmaxBackwardKernel(): KernelSpec {
  const b = binds('y:read', 'dy:read', 'dx:read_write', 'p:uniform');
  return defineKernel(
    `softmax.bwd.wg${ROW_WG}`,
    `struct P { n: u32, c: u32 }
${bindingsWgsl(b, { y: 'array<f32>', dy: 'array<f32>', dx: 'array<f32>', p: 'P' })}
var<workgroup> red: array<f32, ${ROW_WG}>;
${rowHead} {
  let row = wid.x + wid.y * nwg.x;
  let ok = row < p.n;
  let base = row * p.c;
  var s = 0.0;
  if (ok) { for (var j = lid; j < p.c; j += ${ROW_WG}u) { s += dy[base + j] * y[base + j]; } }
  red[lid] = s;
  ${treeReduceWgsl('red', 'lid', ROW_WG, 'a + b')}
  let dot = red[0];
  if (ok) { for (var j = lid; j < p.c; j += ${ROW_WG}u) { dx[base + j] = y[base + j] * (dy[base + j] - dot); } }
}`,
    b,
  );
}

/**
 * Per row: lse = log sum exp(x), rowLoss = lse - x[target]. Targets outside [0, C) are
 * clamped, here and in the backward (callers keep them in range); the mean over rows is taken by sumScaleKernel afterwards.
 */
export function xentForwardKernel(): KernelSpec {
  const b = binds('x:read', 't:read', 'rowLoss:read_write', 'lse:read_write', 'p:uniform');
  return defineKernel(
    `xent.fwd.wg${ROW_WG}`,
    `struct P { n: u32, c: u32 }
${bindingsWgsl(b, { x: 'array<f32>', t: 'array<i32>', rowLoss: 'array<f32>', lse: 'array<f32>', p: 'P' })}
var<workgroup> red: array<f32, ${ROW_WG}>;
${rowHead} {
  ${rowLogSumExpWgsl('x', 'p.n', 'p.c')}
  if (ok && lid == 0u) {
    let l = rmax + log(rsum);
    let tc = u32(clamp(t[row], 0, i32(p.c) - 1));
    lse[row] = l;
    rowLoss[row] = l - x[base + tc];
  }
}`,
    b,
  );
}

/** dx[r, c] = g * scale * (exp(x - lse[r]) - [c == t[r]]), one thread per logit. */
export function xentBackwardKernel(): KernelSpec {
  const b = binds('x:read', 't:read', 'lse:read', 'g:read', 'dx:read_write', 'p:uniform');
  return defineKernel(
    `xent.bwd.wg${XENT_EW_WG}`,
    `struct P { n: u32, c: u32, scale: f32 }
${bindingsWgsl(b, { x: 'array<f32>', t: 'array<i32>', lse: 'array<f32>', g: 'array<f32>', dx: 'array<f32>', p: 'P' })}
@compute @workgroup_size(${XENT_EW_WG}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * ${XENT_EW_WG}u);
  if (i < p.n * p.c) {
    let row = i / p.c;
    let col = i - row * p.c;
    let hit = select(0.0, 1.0, i32(col) == clamp(t[row], 0, i32(p.c) - 1));
    dx[i] = g[0] * p.scale * (exp(x[i] - lse[row]) - hit);
  }
}`,
    b,
  );
}

export const softmaxXentKernels = (): KernelSpec[] => [softmaxKernel(), softmaxBackwardKernel(), xentForwardKernel(), xentBackwardKernel()];
