// SLIC superpixel kernels: centre initialisation, pixel assignment, centre update.
//
// Geometry shared by all three: the image (width x height, C channels, channels-last
// [H*W, C]) is cut into an nx x ny grid of cells; cell i spans the integer columns
// [cellStart(i), cellStart(i + 1)) with cellStart(i) = ceil(i * width / nx) (rows alike), so
// pixel x lies in cell floor(x * nx / width). Centre k belongs to cell (k % nx, k / nx) and is
// stored as [x, y, colour_0 .. colour_{C-1}] (stride C + 2).
//
// Each pixel only considers the centres of the 3x3 cells around its own cell (the gSLIC
// formulation), so the pixels a centre can own all lie in its 3x3-cell window. That is what
// lets the update gather per centre, over that window, with a fixed-order reduction in
// workgroup memory: deterministic, no float atomics.
import { binds, defineKernel, grid1d, type KernelSpec } from './spec.ts';

const SLIC_WG = 64;
/** Quantities reduced per round in the update (workgroup memory: SLIC_WG * REDUCE_Q floats). */
export const REDUCE_Q = 8;

/** Uniform struct of every SLIC kernel; `spatial` = (compactness / S)^2. */
const UNIFORMS = { width: 'u32', height: 'u32', nx: 'u32', ny: 'u32', k: 'u32', c: 'u32', spatial: 'f32', pad: 'u32' } as const;

const HELPERS = `
fn cellStart(i: u32, len: u32, n: u32) -> u32 { return (i * len + n - 1u) / n; }
`;

/**
 * One thread per centre: the middle pixel of its cell, moved to the lowest-gradient pixel of
 * the 3x3 neighbourhood (staying inside the cell, so two centres never start on one pixel;
 * ties keep the middle, then the first in row-major order). Gradient = |I(x+1)-I(x-1)|^2 +
 * |I(y+1)-I(y-1)|^2 summed over channels, clamped at the border.
 */
export function slicInitKernel() {
  return defineKernel({
    key: `slic.init.wg${SLIC_WG}`,
    bindings: binds('image:read', 'centres:read_write', 'p:uniform'),
    uniforms: UNIFORMS,
    workgroup: SLIC_WG,
    source: (decls) => `${decls}
${HELPERS}
fn px(x: u32, y: u32, ch: u32) -> f32 { return image[(y * p.width + x) * p.c + ch]; }
fn gradAt(x: u32, y: u32) -> f32 {
  let xl = select(x - 1u, 0u, x == 0u);
  let xr = min(x + 1u, p.width - 1u);
  let yu = select(y - 1u, 0u, y == 0u);
  let yd = min(y + 1u, p.height - 1u);
  var g = 0.0;
  for (var ch = 0u; ch < p.c; ch++) {
    let gx = px(xr, y, ch) - px(xl, y, ch);
    let gy = px(x, yd, ch) - px(x, yu, ch);
    g += gx * gx + gy * gy;
  }
  return g;
}
@compute @workgroup_size(${SLIC_WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let k = gid.x + gid.y * (nwg.x * ${SLIC_WG}u);
  if (k >= p.k) { return; }
  let ci = k % p.nx;
  let cj = k / p.nx;
  let x0 = cellStart(ci, p.width, p.nx);
  let x1 = cellStart(ci + 1u, p.width, p.nx);
  let y0 = cellStart(cj, p.height, p.ny);
  let y1 = cellStart(cj + 1u, p.height, p.ny);
  let mx = (x0 + x1 - 1u) / 2u;
  let my = (y0 + y1 - 1u) / 2u;
  var bx = mx;
  var by = my;
  var bg = gradAt(mx, my);
  for (var dy = -1; dy <= 1; dy++) {
    for (var dx = -1; dx <= 1; dx++) {
      let x = i32(mx) + dx;
      let y = i32(my) + dy;
      if (x < i32(x0) || x >= i32(x1) || y < i32(y0) || y >= i32(y1)) { continue; }
      let g = gradAt(u32(x), u32(y));
      if (g < bg) { bg = g; bx = u32(x); by = u32(y); }
    }
  }
  let o = k * (p.c + 2u);
  centres[o] = f32(bx);
  centres[o + 1u] = f32(by);
  for (var ch = 0u; ch < p.c; ch++) { centres[o + 2u + ch] = px(bx, by, ch); }
}`,
  });
}

/**
 * One thread per pixel: label = the centre (among the 3x3 cells around the pixel's cell) with
 * the smallest colour^2 + spatial * xy^2; ties go to the smaller centre index. Channels baked in.
 */
export function slicAssignKernel(channels: number) {
  return defineKernel({
    key: `slic.assign.wg${SLIC_WG}.c${channels}`,
    bindings: binds('image:read', 'centres:read', 'labels:read_write', 'p:uniform'),
    types: { labels: 'array<i32>' },
    uniforms: UNIFORMS,
    workgroup: SLIC_WG,
    source: (decls) => `${decls}
const C = ${channels}u;
@compute @workgroup_size(${SLIC_WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * ${SLIC_WG}u);
  if (i >= p.width * p.height) { return; }
  let x = i % p.width;
  let y = i / p.width;
  let cx = i32(x * p.nx / p.width);
  let cy = i32(y * p.ny / p.height);
  // The pixel's colour is read once, not once per candidate centre.
  var colour: array<f32, C>;
  for (var ch = 0u; ch < C; ch++) { colour[ch] = image[i * C + ch]; }
  var best = 3.0e38;
  var bestK = -1;
  for (var dj = -1; dj <= 1; dj++) {
    let j = cy + dj;
    if (j < 0 || j >= i32(p.ny)) { continue; }
    for (var di = -1; di <= 1; di++) {
      let ii = cx + di;
      if (ii < 0 || ii >= i32(p.nx)) { continue; }
      let k = u32(j) * p.nx + u32(ii);
      let o = k * (C + 2u);
      var dc = 0.0;
      for (var ch = 0u; ch < C; ch++) {
        let d = colour[ch] - centres[o + 2u + ch];
        dc += d * d;
      }
      let dx = f32(x) - centres[o];
      let dy = f32(y) - centres[o + 1u];
      let dist = dc + p.spatial * (dx * dx + dy * dy);
      if (dist < best) { best = dist; bestK = i32(k); }
    }
  }
  labels[i] = bestK;
}`,
  });
}

/**
 * One workgroup per centre: gathers the pixels of its 3x3-cell window that carry its label
 * and sets the centre to their mean [x, y, colour]. Each thread sums its strided share of the
 * window into private accumulators (count, x, y, channels) in one pass; the workgroup then
 * combines them with a fixed tree reduction, up to REDUCE_Q quantities per round, so the
 * result is bit-identical run to run. A centre that owns no pixel keeps its previous value.
 * The channel count is baked in (private arrays need a constant size).
 */
export function slicUpdateKernel(channels: number) {
  const nq = channels + 3;
  const rq = Math.min(nq, REDUCE_Q);
  return defineKernel({
    key: `slic.update.wg${SLIC_WG}.c${channels}`,
    bindings: binds('image:read', 'labels:read', 'centres:read_write', 'p:uniform'),
    types: { labels: 'array<i32>' },
    uniforms: UNIFORMS,
    workgroup: SLIC_WG,
    // One workgroup per centre (folded into 2-D past 65535).
    grid: (centres) => grid1d(centres, 1),
    source: (decls) => `${decls}
${HELPERS}
const NQ = ${nq}u;
const RQ = ${rq}u;
const WG = ${SLIC_WG}u;
var<workgroup> red: array<f32, ${SLIC_WG * rq}>;
@compute @workgroup_size(${SLIC_WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  // k is uniform over the workgroup; out-of-range groups (from grid folding) compute a
  // clamped centre and skip the write, so every thread reaches every barrier.
  let kRaw = wid.x + wid.y * nwg.x;
  let k = min(kRaw, p.k - 1u);
  let ci = k % p.nx;
  let cj = k / p.nx;
  let x0 = cellStart(select(ci - 1u, 0u, ci == 0u), p.width, p.nx);
  let x1 = cellStart(min(ci + 2u, p.nx), p.width, p.nx);
  let y0 = cellStart(select(cj - 1u, 0u, cj == 0u), p.height, p.ny);
  let y1 = cellStart(min(cj + 2u, p.ny), p.height, p.ny);
  let ww = x1 - x0;
  let area = ww * (y1 - y0);
  // acc: 0 count, 1 x, 2 y, 3.. channels.
  var acc: array<f32, NQ>;
  for (var t = lid; t < area; t += WG) {
    let x = x0 + t % ww;
    let y = y0 + t / ww;
    let i = y * p.width + x;
    if (labels[i] == i32(k)) {
      acc[0] += 1.0;
      acc[1] += f32(x);
      acc[2] += f32(y);
      for (var ch = 0u; ch < NQ - 3u; ch++) { acc[3u + ch] += image[i * (NQ - 3u) + ch]; }
    }
  }
  var count = 0.0;
  for (var q0 = 0u; q0 < NQ; q0 += RQ) {
    for (var j = 0u; j < RQ; j++) { red[j * WG + lid] = select(0.0, acc[min(q0 + j, NQ - 1u)], q0 + j < NQ); }
    workgroupBarrier();
    for (var h = WG / 2u; h > 0u; h >>= 1u) {
      if (lid < h) {
        for (var j = 0u; j < RQ; j++) { red[j * WG + lid] += red[j * WG + lid + h]; }
      }
      workgroupBarrier();
    }
    if (lid == 0u) {
      if (q0 == 0u) { count = red[0]; }
      for (var j = 0u; j < RQ; j++) {
        let q = q0 + j;
        if (q >= 1u && q < NQ && kRaw < p.k && count > 0.0) { centres[k * (NQ - 1u) + q - 1u] = red[j * WG] / count; }
      }
    }
    workgroupBarrier();
  }
}`,
  });
}

export const slicKernels = (channels = 3): KernelSpec[] => [slicInitKernel(), slicAssignKernel(channels), slicUpdateKernel(channels)];
