// Feature-matrix checks and scalings applied before reduction and training. x is row-major
// [n pixels, c features]. All functions return new arrays.

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** Throws naming the first non-finite value. */
export function assertFinite(x: Float32Array, n: number, c: number, what = 'input'): void {
  if (x.length !== n * c) throw new InputError(`${what}: ${x.length} values do not make ${n} pixels x ${c} features`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!))
      throw new InputError(`${what}: value ${x[i]} at pixel ${Math.floor(i / c)} (row-major), feature ${i % c} is not finite`);
  }
}

/** Divides each pixel by its total ion count (pixels with TIC 0 stay 0). */
export function ticNormalize(x: Float32Array, n: number, c: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < c; j++) s += x[i * c + j]!;
    if (s === 0) continue;
    for (let j = 0; j < c; j++) out[i * c + j] = x[i * c + j]! / s;
  }
  return out;
}

/** Square root; negative values (which MSI intensities should not have) are an error. */
export function sqrtTransform(x: Float32Array, c: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v < 0) throw new InputError(`--sqrt: negative value ${v} at pixel ${Math.floor(i / c)}, feature ${i % c}`);
    out[i] = Math.sqrt(v);
  }
  return out;
}

/**
 * Per-feature min-max scaling to [0, 1] (the reference's preprocessing). A constant feature
 * carries no information and becomes 0 rather than NaN; `constant` lists them.
 */
export function minMaxScale(x: Float32Array, n: number, c: number): { scaled: Float32Array; constant: number[] } {
  const lo = new Float64Array(c).fill(Infinity), hi = new Float64Array(c).fill(-Infinity);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < c; j++) {
      const v = x[i * c + j]!;
      if (v < lo[j]!) lo[j] = v;
      if (v > hi[j]!) hi[j] = v;
    }
  const constant: number[] = [];
  for (let j = 0; j < c; j++) if (!(hi[j]! > lo[j]!)) constant.push(j);
  const scaled = new Float32Array(x.length);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < c; j++) {
      const range = hi[j]! - lo[j]!;
      scaled[i * c + j] = range > 0 ? (x[i * c + j]! - lo[j]!) / range : 0;
    }
  return { scaled, constant };
}
