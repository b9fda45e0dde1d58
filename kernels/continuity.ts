// Spatial continuity loss of a channels-last feature map r [H*W, C]:
//   L = sum|r(y+1,x) - r(y,x)| / ((H-1) W C) + sum|r(y,x+1) - r(y,x)| / (H (W-1) C),
// PyTorch's L1Loss on the vertical and horizontal difference tensors, summed. Stage 1 gives
// each workgroup a fixed slice of elements and writes one partial (already divided by the
// counts); sumScaleKernel adds the partials. Both stages have a fixed order: deterministic.
import { treeReduceWgsl } from './loss_reduce.ts';
import { binds, bindingsWgsl, defineKernel, grid1d, type KernelSpec } from './spec.ts';

export const CONT_WG = 256;
/** Elements per thread in stage 1: 4900 x 100 elements -> 240 partials. */
export const CONT_PER = 8;

const uniforms = 'struct P { h: u32, w: u32, c: u32, invV: f32, invH: f32 }';

export function continuityPartialsKernel(): KernelSpec {
  const b = binds('r:read', 'partial:read_write', 'p:uniform');
  const chunk = CONT_WG * CONT_PER;
  return defineKernel(
    `continuity.partials.wg${CONT_WG}.per${CONT_PER}`,
    `${uniforms}
${bindingsWgsl(b, { r: 'array<f32>', partial: 'array<f32>', p: 'P' })}
var<workgroup> red: array<f32, ${CONT_WG}>;
@compute @workgroup_size(${CONT_WG}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = wid.x + wid.y * nwg.x;
  let total = p.h * p.w * p.c;
  let rowLen = p.w * p.c;
  var sv = 0.0;
  var sh = 0.0;
  for (var k = 0u; k < ${CONT_PER}u; k++) {
    let i = g * ${chunk}u + k * ${CONT_WG}u + lid;
    if (i < total) {
      let v = r[i];
      let y = i / rowLen;
      let x = (i - y * rowLen) / p.c;
      if (y + 1u < p.h) { sv += abs(r[i + rowLen] - v); }
      if (x + 1u < p.w) { sh += abs(r[i + p.c] - v); }
    }
  }
  red[lid] = sv * p.invV + sh * p.invH;
  ${treeReduceWgsl('red', 'lid', CONT_WG, 'a + b')}
  if (lid == 0u && g < arrayLength(&partial)) { partial[g] = red[0]; }
}`,
    b,
  );
}

/** Grid for stage 1 and the number of partials it writes. */
export function continuityGrid(elements: number): { grid: [number, number, number]; partials: number } {
  const partials = Math.max(1, Math.ceil(elements / (CONT_WG * CONT_PER)));
  return { grid: grid1d(partials, 1), partials };
}

/** dr = g * (invV * (sign(r - up) - sign(down - r)) + invH * (sign(r - left) - sign(right - r))), sign(0) = 0. */
export function continuityBackwardKernel(): KernelSpec {
  const b = binds('r:read', 'g:read', 'dr:read_write', 'p:uniform');
  return defineKernel(
    `continuity.bwd.wg${CONT_WG}`,
    `${uniforms}
${bindingsWgsl(b, { r: 'array<f32>', g: 'array<f32>', dr: 'array<f32>', p: 'P' })}
@compute @workgroup_size(${CONT_WG}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * ${CONT_WG}u);
  let rowLen = p.w * p.c;
  if (i < p.h * rowLen) {
    let v = r[i];
    let y = i / rowLen;
    let x = (i - y * rowLen) / p.c;
    var dv = 0.0;
    var dh = 0.0;
    if (y > 0u) { dv += sign(v - r[i - rowLen]); }
    if (y + 1u < p.h) { dv -= sign(r[i + rowLen] - v); }
    if (x > 0u) { dh += sign(v - r[i - p.c]); }
    if (x + 1u < p.w) { dh -= sign(r[i + p.c] - v); }
    dr[i] = g[0] * (dv * p.invV + dh * p.invH);
  }
}`,
    b,
  );
}

export const continuityKernels = (): KernelSpec[] => [continuityPartialsKernel(), continuityBackwardKernel()];
