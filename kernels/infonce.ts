// Row-wise log-sum-exp of a similarity matrix S [rows, cols] scaled by 1/T, the contrastive
// (InfoNCE / NT-Xent) loss per row:  rowLoss_i = log sum_j exp(S_ij / T) - S_i,pos(i) / T,
// with pos(i) = (i + shift) mod cols and, for NT-Xent, j = i left out of the sum. One
// workgroup per row; the mean over rows is sumScaleKernel's job. The backward is one thread
// per entry: dS_ij = g * scale / T * (softmax_ij - [j = pos(i)]), 0 on a left-out diagonal.
import { treeReduceWgsl } from './loss_reduce.ts';
import { binds, bindingsWgsl, defineKernel, type KernelSpec } from './spec.ts';

export const NCE_WG = 64;
export const NCE_BWD_WG = 256;

const uniforms = 'struct P { rows: u32, cols: u32, invT: f32, shift: u32, skipDiag: u32, scale: f32 }';

export function nceForwardKernel(): KernelSpec {
  const b = binds('s:read', 'rowLoss:read_write', 'lse:read_write', 'p:uniform');
  return defineKernel(
    `infonce.fwd.wg${NCE_WG}`,
    `${uniforms}
${bindingsWgsl(b, { s: 'array<f32>', rowLoss: 'array<f32>', lse: 'array<f32>', p: 'P' })}
var<workgroup> red: array<f32, ${NCE_WG}>;
fn kept(i: u32, j: u32) -> bool { return p.skipDiag == 0u || i != j; }
@compute @workgroup_size(${NCE_WG}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x;
  let ok = row < p.rows;
  let base = row * p.cols;
  var m = -3.402823e38;
  if (ok) { for (var j = lid; j < p.cols; j += ${NCE_WG}u) { if (kept(row, j)) { m = max(m, s[base + j] * p.invT); } } }
  red[lid] = m;
  ${treeReduceWgsl('red', 'lid', NCE_WG, 'max(a, b)')}
  let rmax = red[0];
  workgroupBarrier();
  var acc = 0.0;
  if (ok) { for (var j = lid; j < p.cols; j += ${NCE_WG}u) { if (kept(row, j)) { acc += exp(s[base + j] * p.invT - rmax); } } }
  red[lid] = acc;
  ${treeReduceWgsl('red', 'lid', NCE_WG, 'a + b')}
  if (ok && lid == 0u) {
    let l = rmax + log(red[0]);
    lse[row] = l;
    rowLoss[row] = l - s[base + (row + p.shift) % p.cols] * p.invT;
  }
}`,
    b,
  );
}

export function nceBackwardKernel(): KernelSpec {
  const b = binds('s:read', 'lse:read', 'g:read', 'ds:read_write', 'p:uniform');
  return defineKernel(
    `infonce.bwd.wg${NCE_BWD_WG}`,
    `${uniforms}
${bindingsWgsl(b, { s: 'array<f32>', lse: 'array<f32>', g: 'array<f32>', ds: 'array<f32>', p: 'P' })}
@compute @workgroup_size(${NCE_BWD_WG}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * ${NCE_BWD_WG}u);
  if (i < p.rows * p.cols) {
    let row = i / p.cols;
    let col = i - row * p.cols;
    let hit = select(0.0, 1.0, col == (row + p.shift) % p.cols);
    let prob = exp(s[i] * p.invT - lse[row]);
    let d = g[0] * p.scale * p.invT * (prob - hit);
    ds[i] = select(d, 0.0, p.skipDiag != 0u && row == col);
  }
}`,
    b,
  );
}

export const infonceKernels = (): KernelSpec[] => [nceForwardKernel(), nceBackwardKernel()];
