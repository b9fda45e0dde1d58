// SLIC superpixel steps on the GPU: seed grid geometry, centre initialisation, one
// assignment pass, one centre update. The loop and the connectivity clean-up live with the
// caller (model/superpixels/slic.ts); these are the generic image-processing pieces.
import { slicAssignKernel, slicInitKernel, slicUpdateKernel } from '../../kernels/slic.ts';
import type { Runtime } from '../runtime.ts';
import type { Tensor } from '../tensor.ts';

/** The seed grid; must agree with kernels/slic.ts (cell i spans [cellStart(i), cellStart(i + 1))). */
export interface SlicGrid {
  width: number;
  height: number;
  /** Cells across and down; the number of centres is nx * ny. */
  nx: number;
  ny: number;
  /** Grid step S = sqrt(pixels per cell), the spatial scale of the SLIC distance. */
  step: number;
}

/** nx x ny cells of about S x S pixels, S = sqrt(H * W / nSegments), at least one cell each way. */
export function slicGrid(height: number, width: number, nSegments: number): SlicGrid {
  if (!(Number.isInteger(height) && Number.isInteger(width) && height >= 1 && width >= 1))
    throw new Error(`slic: bad image size ${height}x${width}`);
  if (!(nSegments >= 1)) throw new Error(`slic: nSegments must be >= 1, got ${nSegments}`);
  const s = Math.sqrt((height * width) / nSegments);
  const nx = Math.min(width, Math.max(1, Math.round(width / s)));
  const ny = Math.min(height, Math.max(1, Math.round(height / s)));
  return { width, height, nx, ny, step: Math.sqrt((width / nx) * (height / ny)) };
}

/** First pixel of cell i along an axis of `len` pixels cut into n cells: ceil(i * len / n). */
export function cellStart(i: number, len: number, n: number): number {
  return Math.floor((i * len + n - 1) / n);
}

/** The cell a pixel coordinate falls in: floor(x * n / len). */
export function cellOf(x: number, len: number, n: number): number {
  return Math.floor((x * n) / len);
}

/** Channels of an image tensor [H*W, C] (or flat H*W*C) on this grid. */
function channelsOf(image: Tensor, grid: SlicGrid): number {
  const n = grid.width * grid.height;
  const c = image.size / n;
  if (!Number.isInteger(c) || c < 1) throw new Error(`slic: ${image} is not [${n}, C] for a ${grid.height}x${grid.width} image`);
  if (image.dtype !== 'f32') throw new Error(`slic: image must be f32, got ${image.dtype}`);
  return c;
}

function slicParams(grid: SlicGrid, channels: number, spatial: number) {
  return { width: grid.width, height: grid.height, nx: grid.nx, ny: grid.ny, k: grid.nx * grid.ny, c: channels, spatial, pad: 0 };
}

/** Centres [K, C + 2] = [x, y, colour...], K = nx * ny, seeded on the grid (lowest gradient in 3x3). */
export function slicInitCentres(rt: Runtime, image: Tensor, grid: SlicGrid): Tensor {
  const c = channelsOf(image, grid);
  const k = grid.nx * grid.ny;
  const centres = rt.empty([k, c + 2]);
  rt.dispatch(slicInitKernel(), { image, centres, p: slicParams(grid, c, 0) }, k);
  return centres;
}

/**
 * Labels every pixel with its nearest centre among the 3x3 surrounding cells, distance
 * = |colour|^2 + spatial * |xy|^2 (spatial = (compactness / S)^2). Writes into `labels`
 * (i32 [H*W]) when given.
 */
export function slicAssign(rt: Runtime, image: Tensor, centres: Tensor, grid: SlicGrid, spatial: number, labels?: Tensor): Tensor {
  const c = channelsOf(image, grid);
  const n = grid.width * grid.height;
  const out = labels ?? rt.empty([n], 'i32');
  if (out.size !== n || out.dtype !== 'i32') throw new Error(`slic: labels must be i32 [${n}], got ${out}`);
  rt.dispatch(slicAssignKernel(c), { image, centres, labels: out, p: slicParams(grid, c, spatial) }, n);
  return out;
}

/** Moves every centre to the mean [x, y, colour] of its pixels (in place; empty centres stay). */
export function slicUpdate(rt: Runtime, image: Tensor, labels: Tensor, centres: Tensor, grid: SlicGrid): void {
  const c = channelsOf(image, grid);
  const k = grid.nx * grid.ny;
  if (centres.size !== k * (c + 2)) throw new Error(`slic: centres must be [${k}, ${c + 2}], got ${centres}`);
  rt.dispatch(slicUpdateKernel(c), { image, labels, centres, p: slicParams(grid, c, 0) }, k);
}
