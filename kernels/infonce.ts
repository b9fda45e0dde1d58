// Row-wise log-sum-exp of a similarity matrix S [rows, cols] scaled by 1/T, the contrastive
// (InfoNCE / NT-Xent) loss per row:  rowLoss_i = log sum_j exp(S_ij / T) - S_i,pos(i) / T,
// with pos(i) = (i + shift) mod cols and, for NT-Xent, j = i left out of the sum. One
// thread per row (as kernels/softmax_xent.ts); the mean over rows is the reduce family's total (sumScaledRaw).
// The backward, also a thread per row: dS_ij = g * scale / T * (softmax_ij - [j = pos(i)]),
// 0 on a left-out diagonal.
import { NEG_BIG } from './softmax_xent.ts';
import { binds, defineKernel, type KernelSpec } from './spec.ts';

const NCE_WG = 64;

const UNIFORMS = { rows: 'u32', cols: 'u32', invT: 'f32', shift: 'u32', skipDiag: 'u32', scale: 'f32' } as const;

export function nceForwardKernel() {
  return defineKernel({
    key: `infonce.fwd.wg${NCE_WG}`,
    bindings: binds('s:read', 'rowLoss:read_write', 'lse:read_write', 'p:uniform'),
    uniforms: UNIFORMS,
    workgroup: NCE_WG,
    source: (decls) => `${decls}
@compute @workgroup_size(${NCE_WG}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = gid.x + gid.y * (nwg.x * ${NCE_WG}u);
  if (row < p.rows) {
    let base = row * p.cols;
    // The left-out diagonal (NT-Xent) is skipped by sending it to -big: exp(-big - m) = 0.
    let skip = select(p.cols, row, p.skipDiag != 0u);
    var m = ${NEG_BIG};
    for (var j = 0u; j < p.cols; j++) { m = max(m, select(s[base + j] * p.invT, ${NEG_BIG}, j == skip)); }
    var acc = 0.0;
    for (var j = 0u; j < p.cols; j++) { acc += select(exp(s[base + j] * p.invT - m), 0.0, j == skip); }
    let l = m + log(acc);
    lse[row] = l;
    rowLoss[row] = l - s[base + (row + p.shift) % p.cols] * p.invT;
  }
}`,
  });
}

export function nceBackwardKernel() {
  return defineKernel({
    key: `infonce.bwd.wg${NCE_WG}`,
    bindings: binds('s:read', 'lse:read', 'g:read', 'ds:read_write', 'p:uniform'),
    uniforms: UNIFORMS,
    workgroup: NCE_WG,
    source: (decls) => `${decls}
@compute @workgroup_size(${NCE_WG}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = gid.x + gid.y * (nwg.x * ${NCE_WG}u);
  if (row < p.rows) {
    let base = row * p.cols;
    let gs = g[0] * p.scale * p.invT;
    let l = lse[row];
    for (var j = 0u; j < p.cols; j++) { ds[base + j] = gs * exp(s[base + j] * p.invT - l); }
    let pos = base + (row + p.shift) % p.cols;
    ds[pos] = ds[pos] - gs;
    if (p.skipDiag != 0u) { ds[base + row] = 0.0; }
  }
}`,
  });
}

export const infonceKernels = (): KernelSpec[] => [nceForwardKernel(), nceBackwardKernel()];
