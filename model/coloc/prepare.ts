// Per-image preparation of an ion image stack (METHOD.md section 2): hot-spot clipping at a
// percentile of the image's valid pixels (METASPACE's convention: 99), scaling to [0, 1] and
// masked pixels set to 0; plus the checks that turn bad input into one clear message.

/** Bad input the user can fix (the CLI prints the message and exits 1). */
export class ColocInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ColocInputError';
  }
}

export interface IonImages {
  /** [n, H, W] row-major. */
  images: Float32Array;
  n: number;
  height: number;
  width: number;
  /** [H*W], 1 = valid pixel; all valid when absent. */
  mask?: Uint8Array;
}

export const MIN_SIDE = 8;

/** The value at fraction q of the sorted values (linear interpolation, as numpy's default). */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const pos = (n - 1) * q, lo = Math.floor(pos), hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Checks the stack; throws ColocInputError naming the first problem. */
export function checkStack(s: IonImages): void {
  const { n, height, width, images } = s;
  if (!Number.isInteger(n) || n < 2) throw new ColocInputError(`need at least 2 ion images, got ${n}`);
  if (height < MIN_SIDE || width < MIN_SIDE) throw new ColocInputError(`images are ${height}x${width}; at least ${MIN_SIDE}x${MIN_SIDE} is needed`);
  if (images.length !== n * height * width) throw new ColocInputError(`${images.length} values do not make ${n} images of ${height}x${width}`);
  if (s.mask && s.mask.length !== height * width) throw new ColocInputError(`mask has ${s.mask.length} pixels, images have ${height * width}`);
  for (let i = 0; i < images.length; i++)
    if (!Number.isFinite(images[i]!)) throw new ColocInputError(`image ${Math.floor(i / (height * width))} has a non-finite value (${images[i]}) at pixel ${i % (height * width)}`);
}

/**
 * Clips each image at its `clip` percentile of valid pixels, scales to [0, 1] (min over valid
 * pixels -> 0, the clip value -> 1), sets masked pixels to 0. Constant images (nothing left
 * after clipping) are refused, naming how many and the first one.
 */
export function prepareImages(s: IonImages, clip = 0.99): Float32Array {
  checkStack(s);
  if (!(clip > 0 && clip <= 1)) throw new ColocInputError(`clip percentile must be in (0, 100], got ${clip * 100}`);
  const { n, height, width, images, mask } = s;
  const P = height * width;
  const valid: number[] = [];
  for (let p = 0; p < P; p++) if (!mask || mask[p]) valid.push(p);
  if (valid.length < 2) throw new ColocInputError(`only ${valid.length} valid pixel(s) in the mask`);
  const out = new Float32Array(n * P);
  const constant: number[] = [];
  const vals = new Float64Array(valid.length);
  for (let i = 0; i < n; i++) {
    valid.forEach((p, k) => (vals[k] = images[i * P + p]!));
    vals.sort();
    const lo = vals[0]!, hi = percentile(vals, clip);
    if (!(hi > lo)) {
      constant.push(i);
      continue;
    }
    const inv = 1 / (hi - lo);
    for (const p of valid) out[i * P + p] = Math.min(1, Math.max(0, (images[i * P + p]! - lo) * inv));
  }
  if (constant.length)
    throw new ColocInputError(`${constant.length} image(s) are constant after clipping at the ${clip * 100}th percentile (first: image ${constant[0]})`);
  return out;
}
