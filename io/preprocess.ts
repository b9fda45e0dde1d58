// imzML -> pixel x feature matrix for segmentation. No Node built-ins: it reads spectra only
// through the ImzmlFile interface, so the browser app runs the same code on a File.
//
// Per spectrum, in this order:
//   1. raw TIC (sum of intensities) decides the tissue mask: pixels below `ticThreshold` and
//      grid positions without a spectrum are masked out;
//   2. normalisation over the whole spectrum: TIC (scaled so every spectrum sums to
//      `normTarget`, default 1e6, "per million") or RMS (so the root mean square of the points
//      is `normTarget`, default 1), or none;
//   3. binning: processed data (and continuous data with `binContinuous`) sums the points of
//      each m/z bin (bin width in Da or ppm); continuous data otherwise keeps its own m/z axis.
//      `mzMin`/`mzMax` restrict the features (points outside still count in the TIC/RMS);
//   4. transform of each bin value: none, sqrt or log1p.
// Feature selection keeps the K bins with the largest mean, or the largest variance across the
// masked-in pixels (a spatially varying ion), among bins with any signal.
//
// Passes over the spectra. Choosing the K features needs statistics over every pixel before
// any value can be placed in the output, so a single streaming pass must keep each pixel's
// binned row until the end. It does, as sparse rows, while they fit in `cacheBytes` (default
// 512 MiB): then the spectra are read exactly once. Past that budget (large profile-mode data)
// the cache is dropped and a second pass re-reads the spectra to extract only the K chosen
// features; the result is identical either way (`passes` in the result says which happened).
import { BinStats, type Selection } from './bin-stats.ts';
import { ImzmlError } from './imzml/errors.ts';
import type { ImzmlFile, Spectrum } from './imzml/types.ts';
import { axisRow, binSpectrum, makeBinning, type BinUnit, type Binning, type SparseRow, type Transform } from './mz-binning.ts';

export type Normalization = 'tic' | 'rms' | 'none';

export interface PreprocessOptions {
  normalize?: Normalization; // default 'tic'
  /** Value every spectrum's TIC (or RMS) is scaled to; default 1e6 for TIC, 1 for RMS. */
  normTarget?: number;
  transform?: Transform; // default 'none'
  /** Bin width for processed data (and continuous data with binContinuous); default 0.01. */
  binWidth?: number;
  binUnit?: BinUnit; // default 'da'
  /** Bin continuous data too instead of using its own m/z axis. Default false. */
  binContinuous?: boolean;
  /** Feature m/z range (inclusive); default everything. */
  mzMin?: number;
  mzMax?: number;
  /** Number of features kept; default 500. */
  topK?: number;
  select?: Selection; // default 'mean'
  /** Raw TIC below which a pixel is masked out (off-tissue); default none. */
  ticThreshold?: number;
  /** Largest grid (width x height) preprocessed; 17 bytes a grid pixel before any feature. Default 2^25. */
  maxGridPixels?: number;
  /** Largest number of m/z bins the data may span (statistics take 20 bytes a bin); default 2^24. */
  maxBins?: number;
  /** Memory for keeping binned rows between statistics and extraction; default 512 MiB. */
  cacheBytes?: number;
  /** Called after every spectrum: pass is 1 or 2. */
  onProgress?: (done: number, total: number, pass: number) => void;
}

export interface FeatureMatrix {
  /** [nPixels x nFeatures] row-major; rows are the masked-in pixels in row-major grid order. */
  features: Float32Array;
  /** [height * width] 1 = pixel kept. */
  mask: Uint8Array;
  /** m/z of each feature column: the bin centre, or the axis value for continuous data. */
  mzValues: Float64Array;
  width: number;
  height: number;
  nPixels: number;
  nFeatures: number;
  /** Raw TIC per grid pixel (NaN where there is no spectrum). */
  tic: Float64Array;
  /** Mean and variance (over kept pixels) of each kept feature. */
  featureMean: Float64Array;
  featureVariance: Float64Array;
  /** Bins (or axis points) with any signal, before top-K. */
  candidates: number;
  passes: 1 | 2;
  /** Negative intensities seen (kept as they are): how many, and the first one. */
  negatives: { count: number; first?: { spectrum: number; mz: number; value: number } };
}

export const DEFAULT_MAX_BINS = 2 ** 24;
/** 5792 x 5792 pixels: above whole-slide images at 5 um; a bigger grid is usually corrupt coordinates. */
export const DEFAULT_MAX_GRID_PIXELS = 2 ** 25;

const READ_AHEAD = 4;

/** Streams the given spectra (document order) with a few reads in flight. */
async function* spectraInOrder(file: ImzmlFile, which: ArrayLike<number>): AsyncGenerator<[number, Spectrum]> {
  const inflight: Promise<Spectrum>[] = [];
  const n = which.length;
  // A read that fails while an earlier one is awaited must not become an unhandled rejection
  // (which ends the process): its error is seen when its turn comes, or never if an earlier fails.
  const start = (i: number) => {
    const p = file.readSpectrum(i);
    p.catch(() => {});
    inflight.push(p);
  };
  for (let k = 0; k < Math.min(READ_AHEAD, n); k++) start(which[k]!);
  for (let k = 0; k < n; k++) {
    const s = await inflight.shift()!;
    if (k + READ_AHEAD < n) start(which[k + READ_AHEAD]!);
    yield [which[k]!, s];
  }
}

export async function preprocessImzml(file: ImzmlFile, opts: PreprocessOptions = {}): Promise<FeatureMatrix> {
  const name = file.source.name;
  const normalize = opts.normalize ?? 'tic';
  const normTarget = opts.normTarget ?? (normalize === 'rms' ? 1 : 1e6);
  const transform = opts.transform ?? 'none';
  const topK = opts.topK ?? 500;
  const select = opts.select ?? 'mean';
  const cacheBytes = opts.cacheBytes ?? 512 * 2 ** 20;
  const mzMin = opts.mzMin ?? -Infinity, mzMax = opts.mzMax ?? Infinity;
  if (!['tic', 'rms', 'none'].includes(normalize)) throw new RangeError(`normalize must be tic, rms or none, got ${normalize}`);
  if (!['none', 'sqrt', 'log1p'].includes(transform)) throw new RangeError(`transform must be none, sqrt or log1p, got ${transform}`);
  if (!['mean', 'variance'].includes(select)) throw new RangeError(`select must be mean or variance, got ${select}`);
  if (!(Number.isInteger(topK) && topK >= 1)) throw new RangeError(`topK must be a positive integer, got ${topK}`);
  if (!(normTarget > 0)) throw new RangeError(`normTarget must be positive, got ${normTarget}`);
  if (!(mzMin < mzMax)) throw new RangeError(`mzMin (${mzMin}) must be below mzMax (${mzMax})`);
  const maxBins = opts.maxBins ?? DEFAULT_MAX_BINS;
  if (!(Number.isInteger(maxBins) && maxBins >= 1 && maxBins <= 2 ** 30)) throw new RangeError(`maxBins must be an integer in [1, 2^30], got ${maxBins}`);

  const { width: W, height: H } = file;
  const maxGrid = opts.maxGridPixels ?? DEFAULT_MAX_GRID_PIXELS;
  if (W * H > maxGrid)
    throw new ImzmlError(
      name,
      `grid ${W} x ${H} (${W * H} pixels, ${file.spectra.length} spectra) is over the limit of ${maxGrid} pixels; corrupt coordinates, or raise the limit (--max-grid-pixels)`,
    );
  const infos = file.spectra;
  const n = infos.length;
  const useAxis = file.mode === 'continuous' && !opts.binContinuous;
  const binning: Binning | null = useAxis
    ? null
    : makeBinning(opts.binWidth ?? 0.01, opts.binUnit ?? 'da', Number.isFinite(mzMin) ? mzMin : undefined);

  // Continuous axis: fixed by the first spectrum; [first, end) are the points in range.
  let axis: Float64Array | null = null, first = 0, end = 0;

  const pixelOf = new Int32Array(n);
  const spectrumAt = new Int32Array(W * H).fill(-1);
  for (let i = 0; i < n; i++) {
    const { x, y } = infos[i]!;
    if (!(x >= 1 && x <= W && y >= 1 && y <= H)) throw new ImzmlError(name, `position (${x}, ${y}) is outside the ${W} x ${H} grid`, i);
    const p = (y - 1) * W + (x - 1);
    if (spectrumAt[p] !== -1) throw new ImzmlError(name, `pixel (${x}, ${y}) already holds spectrum ${spectrumAt[p]}`, i);
    spectrumAt[p] = i;
    pixelOf[i] = p;
  }

  // Bin indices seen so far: the statistics are dense over [binLo, binHi], so that span (not the
  // number of peaks) decides their memory; a tiny bin width must fail with a clear message.
  let binLo = Infinity, binHi = -Infinity;
  const checkBinSpan = (i: number, mz: Float64Array) => {
    if (!binning) return;
    let lo = Infinity, hi = -Infinity;
    for (let k = 0; k < mz.length; k++) {
      const m = mz[k]!;
      if (m >= mzMin && m <= mzMax) {
        if (m < lo) lo = m;
        if (m > hi) hi = m;
      }
    }
    if (lo > hi) return;
    const a = binning.index(lo), b = binning.index(hi);
    binLo = Math.min(binLo, a);
    binHi = Math.max(binHi, b);
    const span = binHi - binLo + 1;
    if (!(span <= maxBins) || Math.abs(binLo) >= 2 ** 31 || Math.abs(binHi) >= 2 ** 31)
      throw new ImzmlError(
        name,
        `${binning.describe} make ${Number.isFinite(span) ? span : 'too many'} bins up to m/z ${hi}, over the limit of ${maxBins} bins; use a wider bin width or raise the limit (--max-bins)`,
        i,
      );
  };
  const negatives: FeatureMatrix['negatives'] = { count: 0 };
  let countNegatives = true; // pass 1 only

  /** Normalised, binned, transformed row of one spectrum; also its raw TIC. */
  const rowOf = (i: number, s: Spectrum): { row: SparseRow; tic: number } => {
    const { mz, intensity } = s;
    let tic = 0, sq = 0;
    for (let k = 0; k < intensity.length; k++) {
      const v = intensity[k]!;
      if (!Number.isFinite(v)) throw new ImzmlError(name, `intensity ${v} at m/z ${mz[k]} is not finite`, i);
      if (v < 0 && transform !== 'none')
        throw new ImzmlError(name, `negative intensity ${v} at m/z ${mz[k]}: ${transform} needs non-negative intensities`, i);
      if (v < 0 && countNegatives && negatives.count++ === 0) negatives.first = { spectrum: i, mz: mz[k]!, value: v };
      tic += v;
      sq += v * v;
    }
    const norm = normalize === 'tic' ? tic : Math.sqrt(sq / Math.max(1, intensity.length));
    // A spectrum with nothing in it stays all zero instead of becoming NaN.
    const scale = normalize === 'none' ? 1 : norm > 0 ? normTarget / norm : 0;
    if (!binning) {
      if (!axis) {
        axis = mz.slice();
        first = 0;
        while (first < axis.length && axis[first]! < mzMin) first++;
        end = first;
        while (end < axis.length && axis[end]! <= mzMax) end++;
      } else if (mz.length !== axis.length || mz[0] !== axis[0] || mz[mz.length - 1] !== axis[axis.length - 1]) {
        throw new ImzmlError(name, `continuous data, but this m/z axis (${mz.length} points) differs from the first spectrum's (${axis.length} points)`, i);
      }
      return { row: axisRow(intensity, scale, first, end, transform), tic };
    }
    checkBinSpan(i, mz);
    return { row: binSpectrum(mz, intensity, scale, binning, mzMin, mzMax, transform), tic };
  };

  // Pass 1: mask, statistics, and (while it fits) the rows themselves.
  const tic = new Float64Array(W * H).fill(NaN);
  const mask = new Uint8Array(W * H);
  const stats = new BinStats();
  let cache: Array<SparseRow | undefined> | null = new Array(n);
  let cached = 0;
  for await (const [i, s] of spectraInOrder(file, Uint32Array.from({ length: n }, (_, i) => i))) {
    const { row, tic: t } = rowOf(i, s);
    const p = pixelOf[i]!;
    tic[p] = t;
    if (opts.ticThreshold === undefined || t >= opts.ticThreshold) {
      mask[p] = 1;
      stats.add(row.bins, row.values);
      if (cache) {
        cached += row.bins.length * 8 + 64;
        if (cached > cacheBytes) cache = null;
        else cache[i] = row;
      }
    }
    opts.onProgress?.(i + 1, n, 1);
  }

  if (n === 0) throw new ImzmlError(name, 'the file holds no spectra');
  if (!mask.some((v) => v === 1)) {
    let top = -Infinity;
    for (const t of tic) if (t > top) top = t;
    throw new ImzmlError(name, `every pixel is masked out: no spectrum has a TIC of at least ${opts.ticThreshold} (the largest TIC is ${top}); lower the TIC threshold`);
  }
  const candidates = stats.occupied;
  const chosen = stats.topK(topK, select);
  const K = chosen.length;
  const column = new Map<number, number>();
  chosen.forEach((b, c) => column.set(b, c));
  const mzValues = Float64Array.from(chosen, (b) => (binning ? binning.centre(b) : axis![first + b]!));
  const featureMean = new Float64Array(K), featureVariance = new Float64Array(K);
  chosen.forEach((b, c) => {
    const { mean, variance } = stats.meanVar(b);
    featureMean[c] = mean;
    featureVariance[c] = variance;
  });

  // Output rows follow the grid, not the file's spectrum order.
  const rowOfPixel = new Int32Array(W * H).fill(-1);
  let nPixels = 0;
  for (let p = 0; p < W * H; p++) if (mask[p]) rowOfPixel[p] = nPixels++;
  const features = new Float32Array(nPixels * K);
  const place = (i: number, row: SparseRow) => {
    const base = rowOfPixel[pixelOf[i]!]! * K;
    for (let k = 0; k < row.bins.length; k++) {
      const c = column.get(row.bins[k]!);
      if (c !== undefined) features[base + c] = row.values[k]!;
    }
  };

  let passes: 1 | 2 = 1;
  if (cache) {
    for (let i = 0; i < n; i++) if (cache[i]) place(i, cache[i]!);
  } else {
    // Pass 2 (only when the rows did not fit in memory): re-read the kept pixels.
    passes = 2;
    countNegatives = false;
    const kept = Uint32Array.from({ length: n }, (_, i) => i).filter((i) => mask[pixelOf[i]!] === 1);
    let done = 0;
    for await (const [i, s] of spectraInOrder(file, kept)) {
      place(i, rowOf(i, s).row);
      opts.onProgress?.(++done, kept.length, 2);
    }
  }
  return { features, mask, mzValues, width: W, height: H, nPixels, nFeatures: K, tic, featureMean, featureVariance, candidates, passes, negatives };
}
