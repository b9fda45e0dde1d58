// Image augmentation kernels for contrastive learning on single-channel images, one thread per
// output pixel of every view:
//  - warp: bilinear sampling of a source image through a per-view affine map (rotation, scale,
//    translation, aspect), zero outside, also warping a validity mask. With the identity map
//    and a different output size it is a (half-pixel centred) bilinear resize.
//  - photometric: Gaussian blur (7x7, per-view sigma), a power-law (gamma) response curve,
//    contrast/brightness jitter, additive
//    Gaussian noise, Poisson-like (signal-dependent) noise, randomly missing pixels, re-masking
//    and clamping to [0, 1]. Random numbers are a counter-based hash of (seed, view, pixel,
//    stream), so a seed always gives the same views and the CPU can reproduce them.
import { pcgHashWgsl } from './dropout.ts';
import { binds, defineKernel, type KernelSpec } from './spec.ts';

const AUGMENT_WG = 64;
/** Floats per view in the warp parameters: a11 a12 a21 a22 tx ty (normalised coordinates) + 2 spare. */
export const WARP_STRIDE = 8;
/** Floats per view in the photometric parameters (see photometricKernel). */
export const PHOTO_STRIDE = 8;
export const BLUR_RADIUS = 3;

const head = `@compute @workgroup_size(${AUGMENT_WG}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u)`;
const idx = `let i = gid.x + gid.y * (nwg.x * ${AUGMENT_WG}u);`;

/** The PCG hash of kernels/dropout.ts and a uniform in [0, 1) from its top 24 bits. */
const randomWgsl = `${pcgHashWgsl}
fn unit(h: u32) -> f32 { return f32(h >> 8u) * (1.0 / 16777216.0); }`;

/**
 * y[v, oy, ox] = bilinear(src[index[v]], A_v (u, w) + t_v) where (u, w) are the output pixel's
 * normalised coordinates in [-1, 1] (pixel centres), mapped back to source pixels with the
 * half-pixel convention; ym is the warped mask (1 = valid pixel) in the same way.
 */
export function warpKernel() {
  return defineKernel({
    key: 'augment.warp',
    bindings: binds('src:read', 'mask:read', 'index:read', 'warp:read', 'y:read_write', 'ym:read_write', 'p:uniform'),
    types: { index: 'array<u32>' },
    uniforms: { count: 'u32', srcH: 'u32', srcW: 'u32', outH: 'u32', outW: 'u32' },
    workgroup: AUGMENT_WG,
    source: (decls) => `${decls}
fn tap(img: u32, yy: i32, xx: i32) -> vec2f {
  if (yy < 0 || xx < 0 || yy >= i32(p.srcH) || xx >= i32(p.srcW)) { return vec2f(0.0); }
  let q = u32(yy) * p.srcW + u32(xx);
  return vec2f(src[img * p.srcH * p.srcW + q], mask[q]);
}
${head} {
  ${idx}
  if (i >= p.count) { return; }
  let hw = p.outH * p.outW;
  let v = i / hw;
  let pix = i % hw;
  let u = (2.0 * f32(pix % p.outW) + 1.0) / f32(p.outW) - 1.0;
  let w = (2.0 * f32(pix / p.outW) + 1.0) / f32(p.outH) - 1.0;
  let a = v * ${WARP_STRIDE}u;
  let su = warp[a] * u + warp[a + 1u] * w + warp[a + 4u];
  let sw = warp[a + 2u] * u + warp[a + 3u] * w + warp[a + 5u];
  let fx = ((su + 1.0) * f32(p.srcW) - 1.0) * 0.5;
  let fy = ((sw + 1.0) * f32(p.srcH) - 1.0) * 0.5;
  let x0 = floor(fx);
  let y0 = floor(fy);
  let ax = fx - x0;
  let ay = fy - y0;
  let ix = i32(x0);
  let iy = i32(y0);
  let img = index[v];
  let r = tap(img, iy, ix) * ((1.0 - ax) * (1.0 - ay)) + tap(img, iy, ix + 1) * (ax * (1.0 - ay))
        + tap(img, iy + 1, ix) * ((1.0 - ax) * ay) + tap(img, iy + 1, ix + 1) * (ax * ay);
  y[i] = r.x;
  ym[i] = r.y;
}`,
  });
}

/**
 * Per view v, photo[v * 8 ..] = (blurSigma, contrast, brightness, centre, noiseSigma,
 * invCounts, missing, gamma). For each pixel:
 *   b = 7x7 Gaussian blur of x (zero outside, weights normalised over the full window);
 *   b = b^gamma where gamma > 0 and b > 0 (a non-linear response; 0 leaves b as it is);
 *   z = ((b - centre) * contrast + centre) * brightness;
 *   z += noiseSigma * n1 + sqrt(max(z, 0) * invCounts) * n2    (n1, n2 standard normals);
 *   z = 0 where u < missing or where the warped mask is below 0.5; clamp to [0, 1].
 */
export function photometricKernel() {
  const R = BLUR_RADIUS;
  return defineKernel({
    key: `augment.photometric.r${R}`,
    bindings: binds('x:read', 'xm:read', 'photo:read', 'y:read_write', 'p:uniform'),
    uniforms: { count: 'u32', h: 'u32', w: 'u32', seed: 'u32' },
    workgroup: AUGMENT_WG,
    source: (decls) => `${decls}
${randomWgsl}
${head} {
  ${idx}
  if (i >= p.count) { return; }
  let hw = p.h * p.w;
  let v = i / hw;
  let pix = i % hw;
  let cy = i32(pix / p.w);
  let cx = i32(pix % p.w);
  let a = v * ${PHOTO_STRIDE}u;
  let sigma = photo[a];
  let inv2s2 = 1.0 / (2.0 * sigma * sigma);
  var acc = 0.0;
  var norm = 0.0;
  for (var dy = -${R}; dy <= ${R}; dy++) {
    for (var dx = -${R}; dx <= ${R}; dx++) {
      let wgt = exp(-f32(dx * dx + dy * dy) * inv2s2);
      norm += wgt;
      let yy = cy + dy;
      let xx = cx + dx;
      if (yy >= 0 && xx >= 0 && yy < i32(p.h) && xx < i32(p.w)) { acc += wgt * x[v * hw + u32(yy) * p.w + u32(xx)]; }
    }
  }
  let centre = photo[a + 3u];
  let g = photo[a + 7u];
  let blurred = acc / norm;
  let curved = select(blurred, select(0.0, pow(blurred, g), blurred > 0.0), g > 0.0);
  var z = ((curved - centre) * photo[a + 1u] + centre) * photo[a + 2u];
  let base = pcgHash(pcgHash(p.seed) + i);
  let u1 = unit(pcgHash(base + 1u));
  let u2 = unit(pcgHash(base + 2u));
  let rad = sqrt(-2.0 * log(1.0 - u1));
  let n1 = rad * cos(6.2831853 * u2);
  let n2 = rad * sin(6.2831853 * u2);
  z += photo[a + 4u] * n1 + sqrt(max(z, 0.0) * photo[a + 5u]) * n2;
  let drop = unit(pcgHash(base + 3u)) < photo[a + 6u] || xm[i] < 0.5;
  y[i] = select(clamp(z, 0.0, 1.0), 0.0, drop);
}`,
  });
}

/**
 * y[r, p] = (x[r, p] - mean[r]) / sqrt(var[r] + eps): every image (row) to zero mean and unit
 * variance, so the encoder sees the spatial pattern and not the ion's abundance or response
 * curve offset. mean and var come from the engine's row reductions.
 */
export function standardizeRowsKernel() {
  return defineKernel({
    key: 'augment.standardize_rows',
    bindings: binds('x:read', 'mean:read', 'variance:read', 'y:read_write', 'p:uniform'),
    uniforms: { count: 'u32', cols: 'u32', eps: 'f32' },
    workgroup: AUGMENT_WG,
    source: (decls) => `${decls}
${head} {
  ${idx}
  if (i >= p.count) { return; }
  let r = i / p.cols;
  y[i] = (x[i] - mean[r]) * inverseSqrt(variance[r] + p.eps);
}`,
  });
}

export const augmentKernels = (): KernelSpec[] => [warpKernel(), photometricKernel(), standardizeRowsKernel()];
