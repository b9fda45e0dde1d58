// Spatial continuity loss of a channels-last feature map r [H*W, C]:
//   L = sum|r(y+1,x) - r(y,x)| / ((H-1) W C) + sum|r(y,x+1) - r(y,x)| / (H (W-1) C),
// PyTorch's L1Loss on the vertical and horizontal difference tensors, summed.
// Stage 1: one thread per pixel sums its C channels' differences to the pixel below and to
// the right (already divided by the counts) into partial[pixel]; the reduce family's total adds the
// H*W partials. Both stages sum in a fixed order: deterministic. A thread per pixel needs
// no barriers and one integer division per pixel instead of per element (CPU backends
// scalarise vector integer division).
import { binds, defineKernel, type KernelSpec } from './spec.ts';

const CONT_WG = 64;

const UNIFORMS = { h: 'u32', w: 'u32', c: 'u32', invV: 'f32', invH: 'f32' } as const;
const head = `@compute @workgroup_size(${CONT_WG}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u)`;
const pixel = `let pix = gid.x + gid.y * (nwg.x * ${CONT_WG}u);
  let y = pix / p.w;
  let x = pix - y * p.w;
  let base = pix * p.c;
  let down = p.w * p.c; // offset to the pixel below`;

export function continuityPartialsKernel() {
  return defineKernel({
    key: `continuity.partials.wg${CONT_WG}`,
    bindings: binds('r:read', 'partial:read_write', 'p:uniform'),
    uniforms: UNIFORMS,
    workgroup: CONT_WG,
    source: (decls) => `${decls}
${head} {
  ${pixel}
  if (pix < p.h * p.w) {
    var sv = 0.0;
    var sh = 0.0;
    if (y + 1u < p.h) { for (var k = 0u; k < p.c; k++) { sv += abs(r[base + down + k] - r[base + k]); } }
    if (x + 1u < p.w) { for (var k = 0u; k < p.c; k++) { sh += abs(r[base + p.c + k] - r[base + k]); } }
    partial[pix] = sv * p.invV + sh * p.invH;
  }
}`,
  });
}

/** dr = g * (invV * (sign(r - up) - sign(down - r)) + invH * (sign(r - left) - sign(right - r))), sign(0) = 0. */
export function continuityBackwardKernel() {
  return defineKernel({
    key: `continuity.bwd.wg${CONT_WG}`,
    bindings: binds('r:read', 'g:read', 'dr:read_write', 'p:uniform'),
    uniforms: UNIFORMS,
    workgroup: CONT_WG,
    source: (decls) => `${decls}
${head} {
  ${pixel}
  if (pix < p.h * p.w) {
    // Neighbours past the border contribute nothing: weight 0 and a clamped (valid) offset.
    let wu = select(0.0, p.invV, y > 0u);
    let wd = select(0.0, p.invV, y + 1u < p.h);
    let wl = select(0.0, p.invH, x > 0u);
    let wr = select(0.0, p.invH, x + 1u < p.w);
    let ou = select(0u, down, y > 0u);
    let od = select(0u, down, y + 1u < p.h);
    let ol = select(0u, p.c, x > 0u);
    let orr = select(0u, p.c, x + 1u < p.w);
    let gs = g[0];
    for (var k = 0u; k < p.c; k++) {
      let i = base + k;
      let v = r[i];
      let d = wu * sign(v - r[i - ou]) - wd * sign(r[i + od] - v) + wl * sign(v - r[i - ol]) - wr * sign(r[i + orr] - v);
      dr[i] = gs * d;
    }
  }
}`,
  });
}

export const continuityKernels = (): KernelSpec[] => [continuityPartialsKernel(), continuityBackwardKernel()];
