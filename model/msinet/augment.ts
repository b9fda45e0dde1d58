// MSI-aware augmentations for the InfoNCE variant (METHOD.md): Gaussian intensity noise,
// randomly missing pixels, a global intensity scaling and flips. Runs on the CPU on the small
// reduced image (H*W x 3) once per step; the GPU does the network work.
import { Random } from '../../engine/random.ts';

export interface AugmentOptions {
  /** Noise standard deviation, relative to the [0, 1] feature range. */
  noise: number;
  /** Fraction of pixels zeroed. */
  missing: number;
  /** Intensity scale drawn uniformly from [1 - scale, 1 + scale]. */
  scale: number;
  flips: boolean;
}

export const DEFAULT_AUGMENT: AugmentOptions = { noise: 0.05, missing: 0.05, scale: 0.2, flips: true };

export interface View {
  data: Float32Array;
  /** For each pixel p of the original image, the row where it sits in this view. */
  position: Int32Array;
}

/** x: [H*W, C] in [0, 1]. Returns the augmented view (before the network's input scale). */
export function augmentView(x: Float32Array, height: number, width: number, c: number, opts: AugmentOptions, r: Random): View {
  const flipH = opts.flips && r.next() < 0.5;
  const flipV = opts.flips && r.next() < 0.5;
  const s = 1 + opts.scale * (2 * r.next() - 1);
  const data = new Float32Array(x.length);
  const position = new Int32Array(height * width);
  for (let y = 0; y < height; y++)
    for (let xx = 0; xx < width; xx++) {
      const src = y * width + xx;
      const dst = (flipV ? height - 1 - y : y) * width + (flipH ? width - 1 - xx : xx);
      position[src] = dst;
      const drop = r.next() < opts.missing;
      for (let k = 0; k < c; k++) {
        const v = drop ? 0 : x[src * c + k]! * s + r.normal(0, opts.noise);
        data[dst * c + k] = Math.max(0, v);
      }
    }
  return { data, position };
}
