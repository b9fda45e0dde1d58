// m/z binning: which feature column a peak at m/z falls into, and one spectrum turned into a
// sparse row of (bin, value). No Node built-ins (the browser preprocesses the same way).
//
// Bins are integers on a grid anchored at `anchor`: in Da, bin i covers
// [anchor + i w, anchor + (i + 1) w); in ppm the edges grow geometrically,
// [anchor (1 + r)^i, anchor (1 + r)^(i + 1)) with r = ppm * 1e-6, so every bin is the same
// relative width. Bin indices are absolute on that grid, so processed data can be binned in one
// pass without knowing its m/z range first.

export type BinUnit = 'da' | 'ppm';

export interface Binning {
  /** Bin of a given m/z (may be negative for m/z below the anchor). */
  index(mz: number): number;
  /** Representative m/z of a bin: its arithmetic (Da) or geometric (ppm) centre. */
  centre(bin: number): number;
  readonly describe: string;
}

export function makeBinning(width: number, unit: BinUnit, anchor?: number): Binning {
  if (!(width > 0) || !Number.isFinite(width)) throw new RangeError(`bin width must be a positive number, got ${width}`);
  if (unit === 'da') {
    const a = anchor ?? 0;
    return {
      index: (mz) => Math.floor((mz - a) / width),
      centre: (b) => a + (b + 0.5) * width,
      describe: `${width} Da bins from m/z ${a}`,
    };
  }
  if (unit === 'ppm') {
    const a = anchor ?? 1;
    if (!(a > 0)) throw new RangeError(`ppm bins need a positive lower m/z, got ${a}`);
    const logStep = Math.log1p(width * 1e-6);
    return {
      index: (mz) => Math.floor(Math.log(mz / a) / logStep),
      centre: (b) => a * Math.exp((b + 0.5) * logStep),
      describe: `${width} ppm bins from m/z ${a}`,
    };
  }
  throw new RangeError(`bin unit must be 'da' or 'ppm', got ${String(unit)}`);
}

/** A spectrum as sparse feature values: bins ascending, no duplicates, values nonzero. */
export interface SparseRow {
  bins: Int32Array;
  values: Float32Array;
}

export type Transform = 'none' | 'sqrt' | 'log1p';

export function applyTransform(v: number, t: Transform): number {
  return t === 'sqrt' ? Math.sqrt(v) : t === 'log1p' ? Math.log1p(v) : v;
}

/**
 * Sums the (already normalised) intensities of the points with m/z in [mzMin, mzMax] in each
 * bin, then applies the transform to every bin sum. Transforming the
 * bin sum, not the points, keeps a peak's value independent of how many profile points it has.
 * Points need not be sorted by m/z.
 */
export function binSpectrum(
  mz: ArrayLike<number>,
  intensity: ArrayLike<number>,
  scale: number,
  binning: Binning,
  mzMin: number,
  mzMax: number,
  transform: Transform,
): SparseRow {
  const n = mz.length;
  const idx = new Float64Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    idx[i] = binning.index(mz[i]!);
    if (i > 0 && idx[i]! < idx[i - 1]!) sorted = false;
  }
  let order: ArrayLike<number> | null = null;
  if (!sorted) order = Uint32Array.from({ length: n }, (_, i) => i).sort((p, q) => idx[p]! - idx[q]! || p - q);
  const bins: number[] = [], values: number[] = [];
  let cur = NaN, acc = 0;
  const emit = () => {
    if (acc !== 0) {
      const v = applyTransform(acc, transform);
      if (v !== 0) {
        bins.push(cur);
        values.push(v);
      }
    }
  };
  for (let k = 0; k < n; k++) {
    const i = order ? order[k]! : k;
    const m = mz[i]!;
    if (!(m >= mzMin && m <= mzMax)) continue;
    const b = idx[i]!;
    if (b !== cur) {
      emit();
      cur = b;
      acc = 0;
    }
    acc += intensity[i]! * scale;
  }
  emit();
  return { bins: Int32Array.from(bins), values: Float32Array.from(values) };
}

/**
 * Continuous data on its own axis: point i is feature i - first, for first <= i < end.
 * Zeros are dropped so rows stay sparse.
 */
export function axisRow(intensity: ArrayLike<number>, scale: number, first: number, end: number, transform: Transform): SparseRow {
  const bins: number[] = [], values: number[] = [];
  for (let i = first; i < end; i++) {
    const raw = intensity[i]! * scale;
    if (raw === 0) continue;
    const v = applyTransform(raw, transform);
    if (v !== 0) {
      bins.push(i - first);
      values.push(v);
    }
  }
  return { bins: Int32Array.from(bins), values: Float32Array.from(values) };
}
