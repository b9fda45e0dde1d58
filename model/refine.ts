// Boundary refinement of a finished segmentation: iterated conditional modes (ICM) on a Potts
// Markov random field. Each segment is modelled as a Gaussian in the network's input features
// (its own mean and per-feature variance, re-estimated every sweep), and each pixel takes the
// segment that best explains its features, plus beta per 4-neighbour already in that segment.
// The CNN finds the regions; its labels near region boundaries follow the superpixels, which
// straddle boundaries on noisy images. This step moves only pixels whose features and
// neighbourhood disagree with their label, and never creates or removes a segment.
// Plain TypeScript on the host: O(sweeps * pixels * segments * features).

export interface RefineOptions {
  /** Weight of one agreeing 4-neighbour against the Gaussian log-likelihood (default 1). */
  beta?: number;
  /** Sweeps over the image (default 5); stops early when no pixel changes. */
  sweeps?: number;
}

/**
 * x: [H*W, d] features (row-major); labels: H*W, 0..K-1, -1 = masked (left as is and not a
 * neighbour). Returns new labels (same ids) and how many pixels changed in total.
 */
export function refineLabels(
  x: ArrayLike<number>,
  d: number,
  labels: Int32Array,
  height: number,
  width: number,
  { beta = 1, sweeps = 5 }: RefineOptions = {},
): { labels: Int32Array; changed: number } {
  const n = height * width;
  if (labels.length !== n || x.length !== n * d) throw new RangeError(`refineLabels: ${labels.length} labels, ${x.length} values for ${height}x${width}x${d}`);
  let k = 0;
  for (const l of labels) k = Math.max(k, l + 1);
  const out = Int32Array.from(labels);
  if (k < 2) return { labels: out, changed: 0 };
  const mean = new Float64Array(k * d), varc = new Float64Array(k * d), count = new Float64Array(k);
  const logNorm = new Float64Array(k);
  const cost = new Float64Array(k);
  let changed = 0;
  for (let s = 0; s < sweeps; s++) {
    // --- per-segment Gaussians from the current labels ---
    mean.fill(0), varc.fill(0), count.fill(0);
    for (let i = 0; i < n; i++) {
      const l = out[i]!;
      if (l < 0) continue;
      count[l]!++;
      for (let j = 0; j < d; j++) mean[l * d + j]! += x[i * d + j]!;
    }
    for (let l = 0; l < k; l++) for (let j = 0; j < d; j++) mean[l * d + j]! /= Math.max(1, count[l]!);
    for (let i = 0; i < n; i++) {
      const l = out[i]!;
      if (l < 0) continue;
      for (let j = 0; j < d; j++) varc[l * d + j]! += (x[i * d + j]! - mean[l * d + j]!) ** 2;
    }
    // A floor on the variance keeps a tiny or constant segment from claiming (or refusing) every pixel.
    let total = 0;
    for (let l = 0; l < k * d; l++) total += varc[l]!;
    const floor = Math.max(1e-12, (1e-3 * total) / Math.max(1, n * d));
    for (let l = 0; l < k; l++) {
      logNorm[l] = 0;
      for (let j = 0; j < d; j++) {
        const v = Math.max(floor, varc[l * d + j]! / Math.max(1, count[l]! - 1));
        varc[l * d + j] = v;
        logNorm[l]! += 0.5 * Math.log(v);
      }
    }
    // --- one raster sweep of ICM ---
    let moved = 0;
    for (let y = 0; y < height; y++)
      for (let xx = 0; xx < width; xx++) {
        const i = y * width + xx;
        const cur = out[i]!;
        if (cur < 0 || count[cur]! <= 1) continue; // never empty a segment
        for (let l = 0; l < k; l++) {
          if (count[l] === 0) {
            cost[l] = Infinity;
            continue;
          }
          let c = logNorm[l]!;
          for (let j = 0; j < d; j++) c += (x[i * d + j]! - mean[l * d + j]!) ** 2 / (2 * varc[l * d + j]!);
          cost[l] = c;
        }
        if (y > 0 && out[i - width]! >= 0) cost[out[i - width]!]! -= beta;
        if (y < height - 1 && out[i + width]! >= 0) cost[out[i + width]!]! -= beta;
        if (xx > 0 && out[i - 1]! >= 0) cost[out[i - 1]!]! -= beta;
        if (xx < width - 1 && out[i + 1]! >= 0) cost[out[i + 1]!]! -= beta;
        let best = cur;
        for (let l = 0; l < k; l++) if (cost[l]! < cost[best]! - 1e-12) best = l;
        if (best !== cur) {
          out[i] = best;
          count[cur]!--;
          count[best]!++;
          moved++;
        }
      }
    changed += moved;
    if (moved === 0) break;
  }
  return { labels: out, changed };
}
