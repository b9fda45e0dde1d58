// Augmentation kernels against plain-TypeScript references on odd sizes: the warp (bilinear
// affine sampling, also a resize) and the photometric kernel (blur, jitter, noise from the
// counter-based hash, missing pixels, masking). Same seed, same output; another seed differs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { photometric, standardizeRows, warpImages } from '../../engine/index.ts';
import { BLUR_RADIUS, PHOTO_STRIDE, WARP_STRIDE } from '../../kernels/augment.ts';
import { testEngine } from '../gpu.ts';
import { assertClose, uniform } from '../helpers.ts';

function pcg(v: number): number {
  const state = (Math.imul(v, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}
const unit = (h: number) => (h >>> 8) / 16777216;

function cpuWarp(src: Float32Array, mask: Float32Array, index: Uint32Array, warp: Float32Array, sh: number, sw: number, oh: number, ow: number) {
  const views = index.length;
  const y = new Float64Array(views * oh * ow), ym = new Float64Array(views * oh * ow);
  const tap = (img: number, yy: number, xx: number): [number, number] =>
    yy < 0 || xx < 0 || yy >= sh || xx >= sw ? [0, 0] : [src[img * sh * sw + yy * sw + xx]!, mask[yy * sw + xx]!];
  for (let v = 0; v < views; v++)
    for (let py = 0; py < oh; py++)
      for (let px = 0; px < ow; px++) {
        const u = (2 * px + 1) / ow - 1, w = (2 * py + 1) / oh - 1;
        const a = warp.subarray(v * WARP_STRIDE);
        const su = a[0]! * u + a[1]! * w + a[4]!, sv = a[2]! * u + a[3]! * w + a[5]!;
        const fx = ((su + 1) * sw - 1) / 2, fy = ((sv + 1) * sh - 1) / 2;
        const x0 = Math.floor(fx), y0 = Math.floor(fy), ax = fx - x0, ay = fy - y0;
        let r0 = 0, r1 = 0;
        for (const [dy, dx, wt] of [[0, 0, (1 - ax) * (1 - ay)], [0, 1, ax * (1 - ay)], [1, 0, (1 - ax) * ay], [1, 1, ax * ay]] as const) {
          const [s, m] = tap(index[v]!, y0 + dy, x0 + dx);
          r0 += wt * s;
          r1 += wt * m;
        }
        y[(v * oh + py) * ow + px] = r0;
        ym[(v * oh + py) * ow + px] = r1;
      }
  return { y, ym };
}

function cpuPhotometric(x: Float32Array, xm: Float32Array, photo: Float32Array, h: number, w: number, seed: number) {
  const out = new Float64Array(x.length), dropped = new Uint8Array(x.length);
  const R = BLUR_RADIUS;
  for (let i = 0; i < x.length; i++) {
    const v = Math.floor(i / (h * w)), pix = i % (h * w), cy = Math.floor(pix / w), cx = pix % w;
    const q = photo.subarray(v * PHOTO_STRIDE);
    let acc = 0, norm = 0;
    for (let dy = -R; dy <= R; dy++)
      for (let dx = -R; dx <= R; dx++) {
        const wt = Math.exp(-(dx * dx + dy * dy) / (2 * q[0]! * q[0]!));
        norm += wt;
        const yy = cy + dy, xx = cx + dx;
        if (yy >= 0 && xx >= 0 && yy < h && xx < w) acc += wt * x[v * h * w + yy * w + xx]!;
      }
    let b = acc / norm;
    if (q[7]! > 0) b = b > 0 ? b ** q[7]! : 0;
    let z = ((b - q[3]!) * q[1]! + q[3]!) * q[2]!;
    const base = pcg((pcg(seed) + i) >>> 0);
    const u1 = unit(pcg((base + 1) >>> 0)), u2 = unit(pcg((base + 2) >>> 0));
    const rad = Math.sqrt(-2 * Math.log(1 - u1));
    z += q[4]! * rad * Math.cos(2 * Math.PI * u2) + Math.sqrt(Math.max(z, 0) * q[5]!) * rad * Math.sin(2 * Math.PI * u2);
    const drop = Math.fround(unit(pcg((base + 3) >>> 0))) < q[6]! || xm[i]! < 0.5;
    dropped[i] = drop ? 1 : 0;
    out[i] = drop ? 0 : Math.min(1, Math.max(0, z));
  }
  return { out, dropped };
}

/** Random affine maps within +-20 degrees, scale 0.8-1.2, translation +-0.2; one identity. */
function randomWarps(views: number, seed: number): Float32Array {
  const r = uniform(views * 4, seed, 0, 1);
  const out = new Float32Array(views * WARP_STRIDE);
  for (let v = 0; v < views; v++) {
    if (v === 0) {
      out.set([1, 0, 0, 1, 0, 0], 0);
      continue;
    }
    const th = (r[v * 4]! - 0.5) * 0.7, s = 0.8 + 0.4 * r[v * 4 + 1]!;
    out.set([s * Math.cos(th), -s * Math.sin(th), s * Math.sin(th), s * Math.cos(th), (r[v * 4 + 2]! - 0.5) * 0.4, (r[v * 4 + 3]! - 0.5) * 0.4], v * WARP_STRIDE);
  }
  return out;
}

for (const [n, sh, sw, oh, ow] of [[2, 5, 7, 5, 7], [3, 13, 9, 8, 8], [1, 1, 1, 3, 3], [2, 64, 64, 32, 32]] as const) {
  test(`warp of ${n} images ${sh}x${sw} to ${oh}x${ow} equals the CPU bilinear reference`, async () => {
    const rt = await testEngine();
    const src = uniform(n * sh * sw, 3, 0, 1);
    const mask = Float32Array.from(uniform(sh * sw, 4, 0, 1), (u) => (u < 0.8 ? 1 : 0));
    const views = 2 * n + 1;
    const index = Uint32Array.from({ length: views }, (_, v) => v % n);
    const warp = randomWarps(views, 5);
    const want = cpuWarp(src, mask, index, warp, sh, sw, oh, ow);
    await rt.scopeAsync(async () => {
      const { y, ym } = warpImages(
        { src: rt.fromData(src, [n, sh * sw]), mask: rt.fromData(mask, [sh * sw]), srcH: sh, srcW: sw },
        rt.fromData(index, [views], 'u32'),
        rt.fromData(warp, [views * WARP_STRIDE]),
        oh,
        ow,
      );
      assertClose(await y.read(), want.y, { rtol: 1e-4, absTol: 1e-5, what: 'warped images' });
      assertClose(await ym.read(), want.ym, { rtol: 1e-4, absTol: 1e-5, what: 'warped masks' });
    });
  });
}

test('warp with the identity map returns the images unchanged; halving a size averages 2x2 blocks', async () => {
  const rt = await testEngine();
  const [h, w] = [6, 10];
  const src = uniform(h * w, 8, 0, 1);
  const ident = new Float32Array(WARP_STRIDE);
  ident.set([1, 0, 0, 1, 0, 0]);
  await rt.scopeAsync(async () => {
    const input = { src: rt.fromData(src, [1, h * w]), mask: rt.fromData(new Float32Array(h * w).fill(1), [h * w]), srcH: h, srcW: w };
    const index = rt.fromData([0], [1], 'u32'), warp = rt.fromData(ident, [WARP_STRIDE]);
    assertClose(await warpImages(input, index, warp, h, w).y.read(), src, { rtol: 1e-6, absTol: 1e-6, what: 'identity' });
    const half = Float64Array.from({ length: (h / 2) * (w / 2) }, (_, i) => {
      const y = 2 * Math.floor(i / (w / 2)), x = 2 * (i % (w / 2));
      return (src[y * w + x]! + src[y * w + x + 1]! + src[(y + 1) * w + x]! + src[(y + 1) * w + x + 1]!) / 4;
    });
    assertClose(await warpImages(input, index, warp, h / 2, w / 2).y.read(), half, { rtol: 1e-5, absTol: 1e-6, what: 'half size' });
  });
});

for (const [views, h, w] of [[1, 3, 5], [3, 9, 11], [2, 33, 17]] as const) {
  test(`photometric augmentation of ${views} views ${h}x${w} equals the CPU reference (same hash, same dropped pixels)`, async () => {
    const rt = await testEngine();
    const x = uniform(views * h * w, 12, 0, 1);
    const xm = Float32Array.from(uniform(views * h * w, 13, 0, 1), (u) => (u < 0.9 ? 1 : 0.2));
    const photo = new Float32Array(views * PHOTO_STRIDE);
    // Gamma: none on view 0, then a convex and a concave curve.
    for (let v = 0; v < views; v++) photo.set([0.3 + 0.8 * v, 0.8 + 0.1 * v, 1.1 - 0.1 * v, 0.3, 0.05, 0.02 * v, 0.1, [0, 1.7, 0.6][v]!], v * PHOTO_STRIDE);
    const want = cpuPhotometric(x, xm, photo, h, w, 77);
    await rt.scopeAsync(async () => {
      const args = [rt.fromData(x, [views, h * w]), rt.fromData(xm, [views, h * w]), rt.fromData(photo, [views * PHOTO_STRIDE])] as const;
      const got = await photometric(...args, h, w, 77).read();
      // Dropped pixels are decided by an integer hash and an f32 compare: exactly as on the CPU.
      for (let i = 0; i < got.length; i++) if (want.dropped[i]) assert.is(got[i], 0, `pixel ${i} dropped`);
      assert.ok(want.dropped.some((d) => d === 0) && want.dropped.some((d) => d === 1), 'some pixels dropped, some kept');
      // The noise's Box-Muller uses log and cos, which WGSL only bounds loosely (cos: 2^-11 absolute
      // on [-pi, pi]); with noise sigmas up to 0.05 and |n| < 5 that is ~1.2e-4 at most, seen as
      // 4e-5 on Chromium's SwiftShader (lavapipe matches the CPU to ~1e-6). Anything wrong in the
      // blur, jitter or hash is off by far more.
      assertClose(got, want.out, { rtol: 1e-4, absTol: 2e-4, what: 'photometric' });
      const again = await photometric(...args, h, w, 77).read();
      assert.equal(Array.from(again), Array.from(got), 'same seed, same view');
      const other = await photometric(...args, h, w, 78).read();
      assert.ok(other.some((v, i) => v !== got[i]), 'another seed gives another view');
    });
  });
}

for (const [rows, cols] of [[1, 3], [5, 7], [3, 1089]] as const) {
  test(`standardizeRows [${rows}, ${cols}]: zero mean, unit variance per row, as the float64 reference`, async () => {
    const rt = await testEngine();
    const x = uniform(rows * cols, rows + cols, -2, 5);
    const want = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      let m = 0, v = 0;
      for (let c = 0; c < cols; c++) m += x[r * cols + c]! / cols;
      for (let c = 0; c < cols; c++) v += (x[r * cols + c]! - m) ** 2 / cols;
      for (let c = 0; c < cols; c++) want[r * cols + c] = (x[r * cols + c]! - m) / Math.sqrt(v + 1e-6);
    }
    await rt.scopeAsync(async () => {
      assertClose(await standardizeRows(rt.fromData(x, [rows * cols, 1]), rows).read(), want, { rtol: 1e-4, absTol: 1e-5, what: 'standardised' });
    });
  });
}

test.run();
