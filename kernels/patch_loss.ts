// MSInet's thresholded patch loss on a cosine Gram matrix S [n, n]:
//   L = mean(1 - S[S > t]) + mean(relu(S[S < t])), a mean over an empty set counting 0.
// Stage 1: each thread sums one row of S into (sum, count) for both sets (counts as u32:
// exact even past 2^24 entries; no barriers). Stage 2: one workgroup adds the partials in a
// fixed order and writes the loss and the two 1/count coefficients the backward needs, all
// without leaving the GPU.
import { binds, defineKernel, type KernelSpec } from './spec.ts';

const PATCH_WG = 64;
/** Threads of the final single-workgroup sum; a power of two. */
const FINAL_WG = 256;

/**
 * Stage 1: one thread per row of S [rows, cols] writes its (sum, count) for both sets, at
 * partial slot off + row (a row block of a larger S writes its own slice).
 */
export function patchPartialsKernel() {
  return defineKernel({
    key: `patch.partials.wg${PATCH_WG}`,
    bindings: binds('s:read', 'psum:read_write', 'pcnt:read_write', 'p:uniform'),
    types: { pcnt: 'array<u32>' },
    uniforms: { rows: 'u32', cols: 'u32', t: 'f32', off: 'u32' },
    workgroup: PATCH_WG,
    source: (decls) => `${decls}
@compute @workgroup_size(${PATCH_WG}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = gid.x + gid.y * (nwg.x * ${PATCH_WG}u);
  if (row < p.rows) {
    var sp = 0.0;
    var sn = 0.0;
    var np = 0u;
    var nn = 0u;
    let base = row * p.cols;
    for (var j = 0u; j < p.cols; j++) {
      let v = s[base + j];
      let pos = v > p.t;
      let neg = v < p.t;
      sp += select(0.0, 1.0 - v, pos);
      np += select(0u, 1u, pos);
      sn += select(0.0, max(v, 0.0), neg);
      nn += select(0u, 1u, neg);
    }
    let slot = 2u * (p.off + row);
    psum[slot] = sp;
    psum[slot + 1u] = sn;
    pcnt[slot] = np;
    pcnt[slot + 1u] = nn;
  }
}`,
  });
}

/** loss[0] = mean of both sets; coef = (1 / #pos, 1 / #neg), 0 for an empty set. */
export function patchFinalKernel() {
  return defineKernel({
    key: `patch.final.wg${FINAL_WG}`,
    bindings: binds('psum:read', 'pcnt:read', 'loss:read_write', 'coef:read_write', 'p:uniform'),
    types: { pcnt: 'array<u32>' },
    uniforms: { parts: 'u32' },
    workgroup: FINAL_WG,
    source: (decls) => `${decls}
var<workgroup> rPos: array<f32, ${FINAL_WG}>;
var<workgroup> rNeg: array<f32, ${FINAL_WG}>;
var<workgroup> cPos: array<u32, ${FINAL_WG}>;
var<workgroup> cNeg: array<u32, ${FINAL_WG}>;
@compute @workgroup_size(${FINAL_WG}) fn main(@builtin(local_invocation_index) lid: u32) {
  var sp = 0.0;
  var sn = 0.0;
  var np = 0u;
  var nn = 0u;
  for (var i = lid; i < p.parts; i += ${FINAL_WG}u) {
    sp += psum[2u * i];
    sn += psum[2u * i + 1u];
    np += pcnt[2u * i];
    nn += pcnt[2u * i + 1u];
  }
  rPos[lid] = sp;
  rNeg[lid] = sn;
  cPos[lid] = np;
  cNeg[lid] = nn;
  workgroupBarrier();
  for (var rs = ${FINAL_WG / 2}u; rs > 0u; rs = rs >> 1u) {
    if (lid < rs) {
      rPos[lid] += rPos[lid + rs];
      rNeg[lid] += rNeg[lid + rs];
      cPos[lid] += cPos[lid + rs];
      cNeg[lid] += cNeg[lid + rs];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let ip = select(0.0, 1.0 / f32(cPos[0]), cPos[0] > 0u);
    let ineg = select(0.0, 1.0 / f32(cNeg[0]), cNeg[0] > 0u);
    loss[0] = rPos[0] * ip + rNeg[0] * ineg;
    coef[0] = ip;
    coef[1] = ineg;
  }
}`,
  });
}

const PATCH_BWD_WG = 256;

/** dS = g * (-1/#pos where S > t; 1/#neg where 0 < S < t; 0 elsewhere). */
export function patchBackwardKernel() {
  return defineKernel({
    key: `patch.bwd.wg${PATCH_BWD_WG}`,
    bindings: binds('s:read', 'coef:read', 'g:read', 'ds:read_write', 'p:uniform'),
    uniforms: { total: 'u32', t: 'f32' },
    workgroup: PATCH_BWD_WG,
    source: (decls) => `${decls}
@compute @workgroup_size(${PATCH_BWD_WG}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * ${PATCH_BWD_WG}u);
  if (i < p.total) {
    let v = s[i];
    var d = 0.0;
    if (v > p.t) { d = -coef[0]; }
    if (v < p.t && v > 0.0) { d = coef[1]; }
    ds[i] = g[0] * d;
  }
}`,
  });
}

export const patchLossKernels = (): KernelSpec[] => [patchPartialsKernel(), patchFinalKernel(), patchBackwardKernel()];
