// Dispatchers for the augmentation kernels of kernels/augment.ts (no gradients: views are
// inputs to the network). Parameters per view are drawn on the CPU by the caller and uploaded.
import {
  PHOTO_STRIDE,
  photometricKernel,
  standardizeRowsKernel,
  WARP_STRIDE,
  warpKernel,
} from '../../kernels/augment.ts';
import { reduceRaw } from './reduce.ts';
import type { Tensor } from '../tensor.ts';

export interface WarpInput {
  /** [n, srcH*srcW] source images. */
  src: Tensor;
  /** [srcH*srcW] validity mask shared by the images (1 = valid). */
  mask: Tensor;
  srcH: number;
  srcW: number;
}

/**
 * Warps images: view v samples source image index[v] (u32 [V]) through the affine map
 * warp[v*8 .. v*8+6] (a11 a12 a21 a22 tx ty, normalised coordinates). Returns the views
 * [V, outH*outW] and their warped masks.
 */
export function warpImages(input: WarpInput, index: Tensor, warp: Tensor, outH: number, outW: number): { y: Tensor; ym: Tensor } {
  const { src, mask, srcH, srcW } = input;
  const views = index.size;
  if (index.dtype !== 'u32') throw new Error(`warpImages: index must be u32, got ${index}`);
  if (warp.size !== views * WARP_STRIDE) throw new Error(`warpImages: warp ${warp} is not [${views}*${WARP_STRIDE}]`);
  if (src.size % (srcH * srcW) !== 0 || mask.size !== srcH * srcW) throw new Error(`warpImages: ${src} / ${mask} do not match ${srcH}x${srcW} images`);
  const rt = src.rt;
  const y = rt.empty([views, outH * outW]), ym = rt.empty([views, outH * outW]);
  rt.dispatch(warpKernel(), { src, mask, index, warp, y, ym, p: { count: y.size, srcH, srcW, outH, outW } }, y.size);
  return { y, ym };
}

/** Blur, contrast/brightness, noise, missing pixels and re-masking of views x [V, h*w] (see photometricKernel). */
export function photometric(x: Tensor, xm: Tensor, photo: Tensor, h: number, w: number, seed: number): Tensor {
  const views = x.size / (h * w);
  if (!Number.isInteger(views) || xm.size !== x.size || photo.size !== views * PHOTO_STRIDE)
    throw new Error(`photometric: ${x}, ${xm}, ${photo} do not match ${h}x${w} views`);
  const rt = x.rt;
  const y = rt.empty(x.shape);
  rt.dispatch(photometricKernel(), { x, xm, photo, y, p: { count: x.size, h, w, seed: seed >>> 0 } }, x.size);
  return y;
}

/** Every row of x [rows, cols] to zero mean and unit variance (population variance + eps); no gradient. */
export function standardizeRows(x: Tensor, rows: number, eps = 1e-6): Tensor {
  const cols = x.size / rows;
  if (!Number.isInteger(cols) || cols < 1) throw new Error(`standardizeRows: ${x} is not ${rows} rows`);
  const rt = x.rt;
  const view = { outer: rows, r: cols, inner: 1 };
  const mean = reduceRaw(x, view, { scale: 1 / cols });
  const variance = reduceRaw(x, view, { pre: 'sqdev', m: mean, scale: 1 / cols });
  const y = rt.empty(x.shape);
  rt.dispatch(standardizeRowsKernel(), { x, mean, variance, y, p: { count: x.size, cols, eps } }, x.size);
  mean.dispose();
  variance.dispose();
  return y;
}
