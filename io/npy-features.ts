// A .npy file as a pixel x feature matrix for segmentation: shape checks and a finite-value
// check whose error names the file and the first bad row and column. The scalings themselves
// (min-max, TIC, sqrt) are plain array functions in model/features.ts. No Node built-ins.
import { NpyError, npyToFloat32, type NpyArray } from './npy.ts';

export interface NpyFeatures {
  /** Row-major [n x c] float32. */
  x: Float32Array;
  n: number;
  c: number;
  /** Present when the file was an image cube [H, W, C] (channels last). */
  height?: number;
  width?: number;
}

/**
 * Accepts [N, C] (rows = pixels, row-major over the image), [N] (one feature) or [H, W, C].
 * Every value must be finite: a NaN or Inf is an NpyError like
 * "x.npy: value NaN at row 12, column 3 is not finite".
 */
export function npyFeatureMatrix(a: NpyArray, name: string): NpyFeatures {
  const s = a.shape;
  if (s.length < 1 || s.length > 3)
    throw new NpyError(name, `expected a pixel x feature matrix [N, C] or an image cube [H, W, C], got shape (${s.join(', ')})`);
  const x = npyToFloat32(a);
  const c = s.length === 1 ? 1 : s[s.length - 1]!;
  const n = s.length === 3 ? s[0]! * s[1]! : s[0]!;
  if (n === 0 || c === 0) throw new NpyError(name, `empty array, shape (${s.join(', ')})`);
  for (let i = 0; i < x.length; i++)
    if (!Number.isFinite(x[i]!)) {
      const row = Math.floor(i / c), col = i % c;
      const where = s.length === 3 ? `pixel (y ${Math.floor(row / s[1]!)}, x ${row % s[1]!}), feature ${col}` : `row ${row}, column ${col}`;
      const orig = Number(a.data[i]!);
      throw new NpyError(name, Number.isFinite(orig) ? `value ${orig} at ${where} overflows float32` : `value ${orig} at ${where} is not finite`);
    }
  return s.length === 3 ? { x, n, c, height: s[0]!, width: s[1]! } : { x, n, c };
}
