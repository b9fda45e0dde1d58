// Augmented views of ion images for contrastive learning (METHOD.md section 2). The parameters
// of every view are drawn on the CPU from a seeded Random (a few numbers per view); the pixels
// are made on the GPU (engine/ops/augment.ts): warp (small rotation, resized crop, a few pixels
// of translation) then blur, contrast/brightness jitter, Gaussian noise scaled by the image's
// bright-pixel mean, Poisson-like noise and missing pixels. No flips and no 90-degree turns:
// colocalization is about where the signal is, so large geometric invariances hurt.
import { photometric, warpImages, type Runtime, type Tensor } from '../../engine/index.ts';
import type { Random } from '../../engine/random.ts';
import { PHOTO_STRIDE, WARP_STRIDE } from '../../kernels/augment.ts';

export type Strength = 'strong' | 'weak';

export interface AugmentConfig {
  /** Rotation range in degrees (reference: 15). */
  rotation: number;
  /** Area fraction of the random resized crop (reference: 0.8-0.9). */
  cropScale: [number, number];
  /** Translation in pixels of the S x S input (reference: 3-pixel padding + crop). */
  translate: number;
  /** Upper bound of the noise factor s (sigma = U(0.001, s) x bright mean / 0.6). */
  noise: number;
  /** Contrast and brightness factors in [1 - jitter, 1 + jitter]. */
  jitter: number;
  /** Largest blur sigma in pixels (applied to half the views). */
  blur: number;
  /** Largest fraction of missing pixels. */
  missing: number;
  /** Poisson-like noise with 10-100 counts at intensity 1, on half the views. */
  poisson: boolean;
  /**
   * Power-law response curve x^g, g log-uniform in [1 / gamma, gamma] (1 = none): ions respond
   * non-linearly to abundance (suppression, saturation), so members of a group differ by a curve.
   */
  gamma: number;
}

// Contrast/brightness jitter is kept at +-10%, below the reference's 0.25-0.5: measured on a
// 72-image stack (batch 16, lr 3e-3, 30 steps), jitter 0.4 kept NT-Xent at chance (3.3-3.5,
// log 31 = 3.43) while each other augmentation alone let it fall to 2.0-2.3, and 0.1 to 2.4.
// No geometric change by default: on the benchmark's stacks (12 epochs, seeds 2 and 1) the
// embedding alone scored ARI 0.80 / 0.61 without them and 0.43 / 0.60 with the reference's
// (rotation 15 degrees, resized crop 0.8-0.9, 3-pixel translation, GEOMETRIC below), as the
// issue's PyTorch study found (0.81 -> 0.90 when they were dropped).
export const STRONG: AugmentConfig = { rotation: 0, cropScale: [1, 1], translate: 0, noise: 0.2, jitter: 0.1, blur: 1.5, missing: 0.1, poisson: true, gamma: 1 };
export const GEOMETRIC: AugmentConfig = { ...STRONG, rotation: 15, cropScale: [0.8, 0.9], translate: 3 };
export const WEAK: AugmentConfig = { rotation: 0, cropScale: [1, 1], translate: 1, noise: 0.05, jitter: 0.1, blur: 0, missing: 0, poisson: false, gamma: 1 };

/** Per-image statistics the augmentations scale with: mean and mean of the bright pixels, on [0, 1] images. */
export interface ImageStats {
  mean: Float32Array;
  brightMean: Float32Array;
}

/**
 * The reference's "bright" pixels are those above 25 of 255, falling back to 20, 15, 10 and
 * then all pixels when none is that bright.
 */
export function imageStats(images: Float32Array, n: number, pixels: number): ImageStats {
  const mean = new Float32Array(n), brightMean = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const img = images.subarray(i * pixels, (i + 1) * pixels);
    let s = 0;
    for (const v of img) s += v;
    mean[i] = s / pixels;
    brightMean[i] = mean[i]!;
    for (const t of [25, 20, 15, 10]) {
      let bs = 0, bc = 0;
      for (const v of img) if (v > t / 255) (bs += v), bc++;
      if (bc > 0) {
        brightMean[i] = bs / bc;
        break;
      }
    }
  }
  return { mean, brightMean };
}

/** Draws the warp and photometric parameters of views of images `index`. */
export function drawViewParams(index: readonly number[], stats: ImageStats, side: number, cfg: AugmentConfig, r: Random): { warp: Float32Array; photo: Float32Array } {
  const v = index.length;
  const warp = new Float32Array(v * WARP_STRIDE), photo = new Float32Array(v * PHOTO_STRIDE);
  index.forEach((img, k) => {
    const th = (r.uniform(-1, 1) * cfg.rotation * Math.PI) / 180;
    const area = r.uniform(cfg.cropScale[0], cfg.cropScale[1]);
    const aspect = cfg.cropScale[0] < 1 ? Math.exp(r.uniform(Math.log(0.9), Math.log(1.1))) : 1;
    const sx = Math.min(1, Math.sqrt(area * aspect)), sy = Math.min(1, Math.sqrt(area / aspect));
    // The crop window anywhere inside the image, plus a translation of a few pixels
    // (2 / side is one pixel in normalised coordinates).
    const tx = r.uniform(-(1 - sx), 1 - sx) + (r.uniform(-1, 1) * cfg.translate * 2) / side;
    const ty = r.uniform(-(1 - sy), 1 - sy) + (r.uniform(-1, 1) * cfg.translate * 2) / side;
    const c = Math.cos(th), s = Math.sin(th);
    warp.set([c * sx, -s * sy, s * sx, c * sy, tx, ty], k * WARP_STRIDE);
    const blur = cfg.blur > 0 && r.next() < 0.5 ? r.uniform(0.1, cfg.blur) : 0.01;
    const contrast = r.uniform(1 - cfg.jitter, 1 + cfg.jitter), brightness = r.uniform(1 - cfg.jitter, 1 + cfg.jitter);
    const sigma = r.uniform(0.001, Math.max(0.001, cfg.noise)) * (stats.brightMean[img]! / 0.6);
    const invCounts = cfg.poisson && r.next() < 0.5 ? 1 / r.uniform(10, 100) : 0;
    const missing = r.uniform(0, cfg.missing);
    // Drawn only when on, so that configurations without it keep their random stream.
    const gamma = cfg.gamma > 1 ? Math.exp(r.uniform(-1, 1) * Math.log(cfg.gamma)) : 0;
    photo.set([blur, contrast, brightness, stats.mean[img]!, sigma, invCounts, missing, gamma], k * PHOTO_STRIDE);
  });
  return { warp, photo };
}

/** The images at the network's input size, on the GPU, with their shared mask. */
export interface BaseImages {
  /** [n, S*S] */
  images: Tensor;
  /** [S*S] */
  mask: Tensor;
  side: number;
  stats: ImageStats;
}

/** Views [V*S*S, 1] of images `index` (one view per entry), made on the GPU. */
export function makeViews(rt: Runtime, base: BaseImages, index: readonly number[], cfg: AugmentConfig, r: Random, seed: number): Tensor {
  return rt.scope(() => {
    const S = base.side;
    const { warp, photo } = drawViewParams(index, base.stats, S, cfg, r);
    const w = warpImages(
      { src: base.images, mask: base.mask, srcH: S, srcW: S },
      rt.fromData(Uint32Array.from(index), [index.length], 'u32'),
      rt.fromData(warp, [warp.length]),
      S,
      S,
    );
    return asPixelColumn(photometric(w.y, w.ym, rt.fromData(photo, [photo.length]), S, S, seed));
  });
}

/** Resizes prepared images [n, H*W] (and their mask) to S x S on the GPU (bilinear, identity warp). */
export function resizeToBase(rt: Runtime, images: Float32Array, mask: Float32Array, n: number, height: number, width: number, side: number): { images: Tensor; mask: Tensor } {
  return rt.scope(() => {
    const ident = new Float32Array(n * WARP_STRIDE);
    for (let i = 0; i < n; i++) ident.set([1, 0, 0, 1, 0, 0], i * WARP_STRIDE);
    const input = { src: rt.fromData(images, [n, height * width]), mask: rt.fromData(mask, [height * width]), srcH: height, srcW: width };
    const w = warpImages(input, rt.fromData(Uint32Array.from({ length: n }, (_, i) => i), [n], 'u32'), rt.fromData(ident, [ident.length]), side, side);
    // The mask is shared by all images: one more view gives it at the new size.
    const m = warpImages(input, rt.fromData([0], [1], 'u32'), rt.fromData(ident.subarray(0, WARP_STRIDE), [WARP_STRIDE]), side, side);
    return { images: rt.keep(w.y), mask: rt.keep(m.ym) };
  });
}

/** The same values as a [size, 1] single-channel map, the encoder's input layout (a copy). */
export function asPixelColumn(t: Tensor): Tensor {
  const out = t.rt.empty([t.size, 1]);
  t.rt.copy(t, out);
  return out;
}
