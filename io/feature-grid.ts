// preprocessImzml() keeps one feature row per pixel in the mask; segment() takes the whole
// grid (masked-out pixels as zero rows, plus the mask). This puts the rows back on the grid.
import type { FeatureMatrix } from './preprocess.ts';

export interface GridFeatures {
  /** Row-major [height * width, channels]; zero rows where mask is 0. */
  features: Float32Array;
  height: number;
  width: number;
  channels: number;
  mask: Uint8Array;
}

export function featureGrid(fm: FeatureMatrix): GridFeatures {
  const n = fm.width * fm.height, c = fm.nFeatures;
  const features = new Float32Array(n * c);
  let row = 0;
  for (let i = 0; i < n; i++) if (fm.mask[i]) features.set(fm.features.subarray(row * c, ++row * c), i * c);
  return { features, height: fm.height, width: fm.width, channels: c, mask: fm.mask };
}
