// SLIC superpixels (Achanta et al. 2012) for the refinement step of MSInet: the seeding,
// assignment and update loop runs on the GPU (engine/ops/slic.ts, kernels/slic.ts) inside
// one command encoder; only the final labels come back, for the CPU connectivity pass.
import { Tensor, slicAssign, slicGrid, slicInitCentres, slicUpdate, type Runtime } from '../../engine/index.ts';
import { enforceConnectivity, type Segmentation } from './connectivity.ts';

export interface SlicOptions {
  /** Approximate number of superpixels (the seed grid has about this many cells). Default 500. */
  nSegments?: number;
  /**
   * Balance of colour against space, in the units of the image values: a pixel one grid step
   * S away from a centre costs as much as a colour difference of `compactness`. Default 10,
   * which suits values spanning about 0..100 (e.g. Lab); for images scaled to [0, 1] use
   * about 0.1 (higher: more square superpixels, lower: closer to colour edges).
   */
  compactness?: number;
  /** Assignment + update rounds. Default 10. */
  maxIter?: number;
  /** Pieces smaller than this fraction of the mean superpixel size are merged away. Default 0.25. */
  minSizeFactor?: number;
}

/**
 * Superpixels of an image given as [H*W, C] (row-major pixels, channels-last, any C >= 1),
 * either already on the GPU or as a Float32Array. Returns labels 0..count-1 where every label
 * is one 4-connected region.
 */
export async function slic(
  rt: Runtime,
  image: Tensor | Float32Array,
  height: number,
  width: number,
  opts: SlicOptions = {},
): Promise<Segmentation> {
  const { nSegments = 500, compactness = 10, maxIter = 10, minSizeFactor = 0.25 } = opts;
  const n = height * width;
  const grid = slicGrid(height, width, nSegments);
  const spatial = (compactness / grid.step) ** 2;
  const raw = await rt.scopeAsync(async () =>
    rt.tape.noGrad(() => {
      const img = image instanceof Tensor ? image : rt.fromData(image, [n, image.length / n]);
      const centres = slicInitCentres(rt, img, grid);
      const labels = slicAssign(rt, img, centres, grid, spatial);
      for (let it = 0; it < maxIter; it++) {
        slicUpdate(rt, img, labels, centres, grid);
        slicAssign(rt, img, centres, grid, spatial, labels);
      }
      return labels.read() as Promise<Int32Array>;
    }),
  );
  const meanSize = n / (grid.nx * grid.ny);
  return enforceConnectivity(raw, height, width, Math.max(1, Math.floor(meanSize * minSizeFactor)));
}
