// Argmax over the channels of channels-last [N, C] (ties go to the smallest index, as in
// PyTorch), and a label histogram / distinct-label count, so a training loop reads back one
// number per step instead of N labels. Integer atomics only (order-independent, so exact).
import { binds, defineKernel, grid1d, type KernelSpec } from './spec.ts';

const ARGMAX_WG = 256;
const NONE = '0xffffffffu';

/**
 * Lanes per row: one (a serial scan, no barriers) up to 512 channels, then enough that each
 * lane scans about 512, at most 64. On lavapipe, 16 lanes x 4900 rows x 100 channels took
 * ~6-13 ms against ~1 ms for one lane: workgroup barriers dominate at these sizes.
 */
export function argmaxLanes(c: number): number {
  return Math.min(64, 2 ** Math.ceil(Math.log2(Math.max(1, Math.ceil(c / 512)))));
}

/** Tree merge of the lanes' (value, index) pairs in workgroup memory into lane 0's best / at. */
const mergeLanes = (lanes: number) => `  bv[li] = best;
  bi[li] = at;
  workgroupBarrier();
  for (var half = ${lanes >> 1}u; half > 0u; half >>= 1u) {
    if (lane < half) {
      let ov = bv[li + half];
      let oi = bi[li + half];
      let mine = bi[li];
      if (oi != ${NONE} && (mine == ${NONE} || ov > bv[li] || (ov == bv[li] && oi < mine))) {
        bv[li] = ov;
        bi[li] = oi;
      }
    }
    workgroupBarrier();
  }
  best = bv[li];
  at = bi[li];`;

/**
 * One workgroup = (256 / lanes) rows x `lanes` lanes. A lane scans channels lane, lane +
 * lanes, ... keeping its first maximum; a tree then merges lanes, preferring the larger
 * value and, on equal values, the smaller index.
 */
export function argmaxKernel(lanes: number) {
  const rows = ARGMAX_WG / lanes;
  const b = binds('x:read', 'labels:read_write', 'p:uniform');
  return defineKernel({
    key: `argmax.${lanes}`,
    bindings: b,
    types: { labels: 'array<i32>' },
    uniforms: { n: 'u32', c: 'u32' },
    workgroup: ARGMAX_WG,
    grid: (n) => grid1d(n, rows),
    source: (decls) => `${decls}
${lanes === 1 ? '' : `var<workgroup> bv: array<f32, ${ARGMAX_WG}>;\nvar<workgroup> bi: array<u32, ${ARGMAX_WG}>;`}
@compute @workgroup_size(${ARGMAX_WG})
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let lane = li % ${lanes}u;
  let row = (wid.x + wid.y * nwg.x) * ${rows}u + li / ${lanes}u;
  var best = 0.0;
  var at = ${NONE};
  if (row < p.n) {
    for (var c = lane; c < p.c; c += ${lanes}u) {
      let v = x[row * p.c + c];
      if (at == ${NONE} || v > best) { best = v; at = c; }
    }
  }
${lanes === 1 ? '' : mergeLanes(lanes)}
  if (lane == 0u && row < p.n) { labels[row] = i32(at); }
}`,
  });
}

/**
 * hist[l] += 1 for every label l in [0, C); hist must start at zero. Other labels are ignored.
 * The masked variant counts only rows i with mask[i] != 0 (pixels outside an image's mask).
 */
export function labelHistogramKernel(masked = false) {
  return defineKernel({
    key: masked ? 'argmax.histogram_masked' : 'argmax.histogram',
    bindings: binds('labels:read', ...(masked ? ['mask:read'] : []), 'hist:read_write', 'p:uniform'),
    types: { labels: 'array<i32>', mask: 'array<u32>', hist: 'array<atomic<u32>>' },
    uniforms: { n: 'u32', c: 'u32' },
    workgroup: ARGMAX_WG,
    source: (decls) => `${decls}
@compute @workgroup_size(${ARGMAX_WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * ${ARGMAX_WG}u);
  if (i < p.n${masked ? ' && mask[i] != 0u' : ''}) {
    let l = labels[i];
    if (l >= 0 && u32(l) < p.c) { atomicAdd(&hist[u32(l)], 1u); }
  }
}`,
  });
}

/** count[0] = number of non-zero bins of hist[0 .. C), one workgroup. */
export function countNonzeroKernel() {
  return defineKernel({
    key: 'argmax.count_nonzero',
    bindings: binds('hist:read', 'count:read_write', 'p:uniform'),
    types: { hist: 'array<u32>', count: 'array<u32>' },
    uniforms: { c: 'u32' },
    workgroup: ARGMAX_WG,
    source: (decls) => `${decls}
var<workgroup> sh: array<u32, ${ARGMAX_WG}>;
@compute @workgroup_size(${ARGMAX_WG})
fn main(@builtin(local_invocation_index) li: u32) {
  var s = 0u;
  for (var c = li; c < p.c; c += ${ARGMAX_WG}u) { s += select(0u, 1u, hist[c] > 0u); }
  sh[li] = s;
  workgroupBarrier();
  for (var half = ${ARGMAX_WG / 2}u; half > 0u; half >>= 1u) {
    if (li < half) { sh[li] += sh[li + half]; }
    workgroupBarrier();
  }
  if (li == 0u) { count[0] = sh[0]; }
}`,
  });
}

export const argmaxKernels = (): KernelSpec[] => [argmaxKernel(1), argmaxKernel(4), argmaxKernel(64), labelHistogramKernel(), labelHistogramKernel(true), countNonzeroKernel()];
