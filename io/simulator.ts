// Synthetic MSI with known answers, for tests, demos and benchmarks. Pure and seeded, no Node
// built-ins: the browser app draws the same images (io/simulator-node.ts writes the files).
//
// Segmentation image: `regions` irregular regions that tile the section, made by giving each
// region a smoothed Gaussian random field and assigning every pixel to the region whose field
// is highest there (blobby, Voronoi-like shapes with rough borders); biases are nudged until
// every region covers a fair share. Each pixel's spectrum is a sum of Gaussian peaks:
//   - common peaks, about equally intense in every region (the shared chemical background),
//   - region-specific peaks, strong in their own region and weak (5-25 %) elsewhere;
// then, per pixel: an intensity drift across the section (a linear ramp, as from a slow change
// of ionisation efficiency; TIC normalisation removes it), multiplicative log-normal noise on
// every peak (mean 1), an optional decaying baseline, and counting noise (Poisson, in ion
// counts). Processed mode stores centroided peaks with a small m/z error plus random noise
// peaks; continuous mode stores profiles on one shared m/z axis.
//
// Colocalization stack: ion images in known groups; images of one group share a spatial
// pattern (again a smoothed random field), with their own gamma, amplitude and background.
import { hashInts, Rng } from './sim-random.ts';
import type { ImzmlMode, WriteSpectrum } from './imzml/types.ts';

export interface SimulateOptions {
  seed?: number; // 0
  width?: number; // 64
  height?: number; // 64
  regions?: number; // 4
  mode?: ImzmlMode; // 'continuous'
  /** Region-specific peaks per region. */
  peaksPerRegion?: number; // 4
  /** Peaks shared by all regions. */
  commonPeaks?: number; // 12
  /** Sigma of the per-peak log-normal noise (0 = none). */
  noise?: number; // 0.2
  /** Expected ion count of a unit-intensity peak; 0 turns counting noise off (float output). */
  counts?: number; // 200
  /** Relative intensity change across the section: factors go from 1 - drift to 1 + drift. */
  drift?: number; // 0.3
  /** Height of the decaying baseline relative to a unit peak (continuous mode); 0 = none. */
  baseline?: number; // 0
  mzMin?: number; // 100
  mzMax?: number; // 600
  /** Continuous mode: points on the m/z axis. */
  points?: number; // 2001
  /** Gaussian peak sigma in Da; default 0.375 (1.5 steps of the default axis) or 0.05 in processed mode. */
  peakSigma?: number;
  /** Processed mode: m/z error of centroids (ppm, standard deviation). */
  massErrorPpm?: number; // 2
  /** Processed mode: mean number of random noise peaks per spectrum. */
  noisePeaks?: number; // 8
  /** Spatial scale (Gaussian sigma in pixels) of the region fields; default min(W, H) / 8. */
  smoothness?: number;
}

export interface PeakInfo {
  mz: number;
  kind: 'common' | 'region';
  /** Region the peak marks, -1 for common peaks. */
  region: number;
  /** Mean peak height (before drift and noise) in each region. */
  intensity: number[];
}

export interface SimulatedMsi {
  options: Required<Omit<SimulateOptions, 'peakSigma' | 'smoothness'>> & { peakSigma: number; smoothness: number };
  width: number;
  height: number;
  mode: ImzmlMode;
  /** Row-major H x W region labels 0 .. regions-1. */
  truth: Int32Array;
  peaks: PeakInfo[];
  /** Continuous mode: the shared m/z axis. */
  axis: Float64Array | null;
  /** The spectrum at 0-based pixel (x, y); same bytes whenever and in whatever order asked. */
  spectrum(x: number, y: number): { mz: Float64Array; intensity: Float64Array };
  /** All spectra in row-major order, 1-based coordinates, ready for writeImzml. */
  spectra(): Generator<WriteSpectrum>;
  /** JSON-ready description of regions and peaks. */
  describe(): Record<string, unknown>;
}

// Stream ids for hashInts, so the random numbers of different purposes never overlap.
const LAYOUT = 1, PEAKS = 2, PIXEL = 3, STACK = 4;

function checkInt(name: string, v: number, lo: number, hi = 1 << 30): void {
  if (!(Number.isInteger(v) && v >= lo && v <= hi)) throw new RangeError(`${name} must be an integer in ${lo}..${hi}, got ${v}`);
}
function checkNum(name: string, v: number, lo: number, hi = Infinity): void {
  if (!(Number.isFinite(v) && v >= lo && v <= hi)) throw new RangeError(`${name} must be a number in [${lo}, ${hi}], got ${v}`);
}

/** Separable Gaussian blur with edge replication. */
export function gaussianBlur(f: Float64Array, H: number, W: number, sigma: number): Float64Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = Float64Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const ksum = k.reduce((a, b) => a + b, 0);
  const tmp = new Float64Array(H * W), out = new Float64Array(H * W);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) s += k[i + r]! * f[y * W + Math.min(W - 1, Math.max(0, x + i))]!;
      tmp[y * W + x] = s / ksum;
    }
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) s += k[i + r]! * tmp[Math.min(H - 1, Math.max(0, y + i)) * W + x]!;
      out[y * W + x] = s / ksum;
    }
  return out;
}

/** A smoothed white-noise field scaled to mean 0, standard deviation 1. */
function randomField(rng: Rng, H: number, W: number, sigma: number): Float64Array {
  const f = gaussianBlur(Float64Array.from({ length: H * W }, () => rng.normal()), H, W, sigma);
  let m = 0, v = 0;
  for (const x of f) m += x;
  m /= f.length;
  for (const x of f) v += (x - m) ** 2;
  const sd = Math.sqrt(v / f.length) || 1;
  for (let i = 0; i < f.length; i++) f[i] = (f[i]! - m) / sd;
  return f;
}

/** Region map: argmax of per-region fields plus biases, biases raised until each region has >= 40 % of a fair share. */
export function regionMap(seed: number, H: number, W: number, R: number, sigma: number): Int32Array {
  const rng = new Rng(hashInts(seed, LAYOUT));
  const fields = Array.from({ length: R }, () => randomField(rng, H, W, sigma));
  const bias = new Float64Array(R);
  const labels = new Int32Array(H * W);
  const minPixels = Math.max(1, Math.floor((0.4 * H * W) / R));
  for (let iter = 0; iter < 10000; iter++) {
    const size = new Int32Array(R);
    for (let p = 0; p < H * W; p++) {
      let best = 0;
      for (let r = 1; r < R; r++) if (fields[r]![p]! + bias[r]! > fields[best]![p]! + bias[best]!) best = r;
      labels[p] = best;
      size[best]!++;
    }
    let ok = true;
    for (let r = 0; r < R; r++)
      if (size[r]! < minPixels) {
        bias[r]! += 0.05;
        ok = false;
      }
    if (ok) return labels;
  }
  throw new RangeError(`could not lay out ${R} regions on a ${W} x ${H} grid`);
}

export function simulateMsi(opts: SimulateOptions = {}): SimulatedMsi {
  const W = opts.width ?? 64, H = opts.height ?? 64, R = opts.regions ?? 4;
  const mode = opts.mode ?? 'continuous';
  const o = {
    seed: opts.seed ?? 0,
    width: W,
    height: H,
    regions: R,
    mode,
    peaksPerRegion: opts.peaksPerRegion ?? 4,
    commonPeaks: opts.commonPeaks ?? 12,
    noise: opts.noise ?? 0.2,
    counts: opts.counts ?? 200,
    drift: opts.drift ?? 0.3,
    baseline: opts.baseline ?? 0,
    mzMin: opts.mzMin ?? 100,
    mzMax: opts.mzMax ?? 600,
    points: opts.points ?? 2001,
    massErrorPpm: opts.massErrorPpm ?? 2,
    noisePeaks: opts.noisePeaks ?? 8,
    peakSigma: 0,
    smoothness: opts.smoothness ?? Math.max(1.5, Math.min(W, H) / 8),
  };
  checkInt('seed', o.seed, 0, 0xffffffff);
  checkInt('width', W, 1, 16384);
  checkInt('height', H, 1, 16384);
  checkInt('regions', R, 1, 256);
  if (R > W * H) throw new RangeError(`${R} regions do not fit in ${W} x ${H} pixels`);
  if (mode !== 'continuous' && mode !== 'processed') throw new RangeError(`mode must be continuous or processed, got ${mode}`);
  checkInt('peaksPerRegion', o.peaksPerRegion, 0, 1000);
  checkInt('commonPeaks', o.commonPeaks, 0, 10000);
  if (o.peaksPerRegion * R + o.commonPeaks === 0) throw new RangeError('no peaks to simulate');
  checkNum('noise', o.noise, 0, 5);
  checkNum('counts', o.counts, 0);
  checkNum('drift', o.drift, 0, 0.99);
  checkNum('baseline', o.baseline, 0);
  checkNum('mzMin', o.mzMin, 1e-3);
  checkNum('mzMax', o.mzMax, o.mzMin + 1e-3);
  checkInt('points', o.points, 2, 1e7);
  checkNum('massErrorPpm', o.massErrorPpm, 0);
  checkNum('noisePeaks', o.noisePeaks, 0);
  checkNum('smoothness', o.smoothness, 0.1);
  o.peakSigma = opts.peakSigma ?? (mode === 'continuous' ? 0.375 : 0.05);
  checkNum('peakSigma', o.peakSigma, 1e-6);

  const truth = regionMap(o.seed, H, W, R, o.smoothness);
  const peaks = placePeaks(o);
  const step = (o.mzMax - o.mzMin) / (o.points - 1);
  const axis = mode === 'continuous' ? Float64Array.from({ length: o.points }, (_, j) => o.mzMin + j * step) : null;

  const spectrum = (x: number, y: number): { mz: Float64Array; intensity: Float64Array } => {
    if (!(Number.isInteger(x) && Number.isInteger(y) && x >= 0 && x < W && y >= 0 && y < H))
      throw new RangeError(`pixel (${x}, ${y}) is outside ${W} x ${H}`);
    const p = y * W + x, region = truth[p]!;
    const rng = new Rng(hashInts(o.seed, PIXEL, p));
    // Linear ramp along the diagonal: 1 - drift at the top left, 1 + drift at the bottom right.
    const t = (W > 1 ? x / (W - 1) : 0.5) + (H > 1 ? y / (H - 1) : 0.5);
    const drift = 1 + o.drift * (t - 1);
    const heights = peaks.map((pk) => pk.intensity[region]! * drift * rng.lognormal(o.noise));
    return axis ? profile(axis, peaks, heights, drift, rng, o) : centroids(peaks, heights, rng, o);
  };

  return {
    options: o,
    width: W,
    height: H,
    mode,
    truth,
    peaks,
    axis,
    spectrum,
    *spectra() {
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) {
          const s = spectrum(x, y);
          yield { x: x + 1, y: y + 1, mz: s.mz, intensity: s.intensity };
        }
    },
    describe() {
      const sizes = new Array<number>(R).fill(0);
      for (const l of truth) sizes[l]!++;
      return {
        kind: 'msinet-simulation',
        options: o,
        regions: sizes.map((pixels, label) => ({ label, pixels, peaks: peaks.filter((p) => p.region === label).map((p) => p.mz) })),
        peaks,
      };
    },
  };
}

type Resolved = SimulatedMsi['options'];

/**
 * Peak positions at least 8 sigma (and 1 Da) apart, each at the centre of a 0.01 Da bin (x.xx5)
 * so that 0.01 Da binning from 0 never splits a centroid peak; then heights per region.
 */
function placePeaks(o: Resolved): PeakInfo[] {
  const rng = new Rng(hashInts(o.seed, PEAKS));
  const n = o.commonPeaks + o.regions * o.peaksPerRegion;
  const sep = Math.max(1, 8 * o.peakSigma);
  const lo = o.mzMin + 4 * o.peakSigma + 0.5, hi = o.mzMax - 4 * o.peakSigma - 0.5;
  const tooMany = () =>
    new RangeError(`${n} peaks do not fit between m/z ${o.mzMin} and ${o.mzMax} (each needs ${sep.toFixed(2)} Da around it)`);
  // Random sequential placement jams near 75 % of the densest packing; ask for room to spare.
  if (hi <= lo || (hi - lo) / sep < n * 2) throw tooMany();
  const mzs: number[] = [];
  for (let tries = 0; mzs.length < n; tries++) {
    if (tries > 1000 * n) throw tooMany();
    const m = (Math.floor(rng.uniform(lo, hi) * 100) + 0.5) / 100;
    if (mzs.every((q) => Math.abs(q - m) >= sep)) mzs.push(m);
  }
  const logU = (a: number, b: number) => Math.exp(rng.uniform(Math.log(a), Math.log(b)));
  const peaks: PeakInfo[] = [];
  for (let i = 0; i < n; i++) {
    if (i < o.commonPeaks) {
      const base = logU(0.2, 1);
      peaks.push({ mz: mzs[i]!, kind: 'common', region: -1, intensity: Array.from({ length: o.regions }, () => base * rng.uniform(0.85, 1.15)) });
    } else {
      const region = Math.floor((i - o.commonPeaks) / o.peaksPerRegion);
      const base = logU(0.4, 1);
      peaks.push({
        mz: mzs[i]!,
        kind: 'region',
        region,
        intensity: Array.from({ length: o.regions }, (_, r) => (r === region ? base : base * rng.uniform(0.05, 0.25))),
      });
    }
  }
  return peaks.sort((a, b) => a.mz - b.mz);
}

function profile(axis: Float64Array, peaks: PeakInfo[], heights: number[], drift: number, rng: Rng, o: Resolved) {
  const clean = new Float64Array(axis.length);
  const step = axis[1]! - axis[0]!, s2 = 2 * o.peakSigma * o.peakSigma;
  peaks.forEach((pk, k) => {
    // Only within 5 sigma of the centre (the rest is below 4e-6 of the height).
    const j0 = Math.max(0, Math.floor((pk.mz - 5 * o.peakSigma - axis[0]!) / step));
    const j1 = Math.min(axis.length - 1, Math.ceil((pk.mz + 5 * o.peakSigma - axis[0]!) / step));
    for (let j = j0; j <= j1; j++) {
      const d = axis[j]! - pk.mz;
      if (Math.abs(d) <= 5 * o.peakSigma) clean[j]! += heights[k]! * Math.exp(-(d * d) / s2);
    }
  });
  if (o.baseline > 0) {
    const decay = (o.mzMax - o.mzMin) / 4;
    for (let j = 0; j < axis.length; j++) clean[j]! += o.baseline * drift * Math.exp(-(axis[j]! - o.mzMin) / decay);
  }
  const intensity = o.counts > 0 ? clean.map((v) => rng.poisson(v * o.counts)) : clean;
  return { mz: axis, intensity };
}

function centroids(peaks: PeakInfo[], heights: number[], rng: Rng, o: Resolved) {
  const pts: Array<[number, number]> = [];
  peaks.forEach((pk, k) => {
    const v = o.counts > 0 ? rng.poisson(heights[k]! * o.counts) : heights[k]!;
    if (v > 0) pts.push([pk.mz * (1 + o.massErrorPpm * 1e-6 * rng.normal()), v]);
  });
  const nNoise = rng.poisson(o.noisePeaks);
  for (let i = 0; i < nNoise; i++) {
    const h = rng.uniform(0.01, 0.08);
    const v = o.counts > 0 ? rng.poisson(h * o.counts) : h;
    if (v > 0) pts.push([rng.uniform(o.mzMin, o.mzMax), v]);
  }
  pts.sort((a, b) => a[0] - b[0]);
  return { mz: Float64Array.from(pts, (p) => p[0]), intensity: Float64Array.from(pts, (p) => p[1]) };
}

// ---------------------------------------------------------------------------------------------
// Colocalization stack

export interface StackOptions {
  seed?: number; // 0
  width?: number; // 64
  height?: number; // 64
  /** Number of colocalization groups. */
  groups?: number; // 4
  images?: number; // 40
  noise?: number; // 0.2
  /** Expected ion count at a pattern maximum of a unit-amplitude image; 0 = no counting noise. */
  counts?: number; // 100
  mzMin?: number; // 100
  mzMax?: number; // 1000
  smoothness?: number; // min(W, H) / 8
  /**
   * How hard the groups are to tell apart (default 1; 0 = independent patterns, no artefacts).
   * It scales the artefacts below together; each can also be set alone.
   */
  difficulty?: number;
  /** Weight of the tissue-wide structure every group pattern shares (0.66 x difficulty, at most 0.85). */
  shared?: number;
  /** Largest weight of a second group's pattern in an image (partial overlap; 0.36 x difficulty, at most 0.45). */
  overlap?: number;
  /** Fraction of missing (zero) pixels per image (0.036 x difficulty). */
  missing?: number;
  /** Hot spots per image: single pixels 5-30 x the image's maximum (round(4.8 x difficulty)). */
  hotspots?: number;
}

export interface IonStack {
  width: number;
  height: number;
  n: number;
  /** [n, H, W] row-major. */
  images: Float32Array;
  /** [n] group of each image, 0 .. groups-1 (every group has >= 2 images). */
  groups: Int32Array;
  /** [n] m/z of each image, ascending (unrelated to the groups). */
  mz: Float64Array;
  /** [groups, H, W] the shared pattern of each group, in [0, 1]. */
  patterns: Float32Array;
  describe(): Record<string, unknown>;
}

export function simulateIonStack(opts: StackOptions = {}): IonStack {
  const W = opts.width ?? 64, H = opts.height ?? 64, G = opts.groups ?? 4, n = opts.images ?? 40;
  const seed = opts.seed ?? 0, noise = opts.noise ?? 0.2, counts = opts.counts ?? 100;
  const mzMin = opts.mzMin ?? 100, mzMax = opts.mzMax ?? 1000;
  const smooth = opts.smoothness ?? Math.max(1.5, Math.min(W, H) / 8);
  checkInt('seed', seed, 0, 0xffffffff);
  checkInt('width', W, 1, 16384);
  checkInt('height', H, 1, 16384);
  checkInt('groups', G, 1, 1000);
  checkInt('images', n, 2 * G, 100000);
  checkNum('noise', noise, 0, 5);
  checkNum('counts', counts, 0);
  checkNum('mzMin', mzMin, 1e-3);
  checkNum('mzMax', mzMax, mzMin + 1e-3);
  checkNum('smoothness', smooth, 0.1);
  const difficulty = opts.difficulty ?? 1;
  checkNum('difficulty', difficulty, 0, 3);
  // Calibrated on 6 groups x 12 images of 64 x 64, seeds 0-4: at difficulty 1 the cosine
  // baseline (median-filtered images + spectral clustering) scores ARI 0.66-0.93 and Pearson +
  // average linkage 0-0.24 (0.69-0.97 and 0-0.25 with the CLI's 200 counts); at 0.8 cosine is
  // perfect (1.00) and Pearson 0.64-0.80.
  const level = 1.2 * difficulty;
  const shared = opts.shared ?? Math.min(0.85, 0.55 * level);
  const overlap = opts.overlap ?? Math.min(0.45, 0.3 * level);
  const missing = opts.missing ?? Math.min(0.5, 0.03 * level);
  const hotspots = opts.hotspots ?? Math.round(4 * level);
  checkNum('shared', shared, 0, 1);
  checkNum('overlap', overlap, 0, 0.5);
  checkNum('missing', missing, 0, 0.9);
  checkInt('hotspots', hotspots, 0, 1000);
  const rng = new Rng(hashInts(seed, STACK));
  const N = W * H;
  const patterns = new Float32Array(G * N);
  // Tissue-wide structure (e.g. the section's outline and density) that every group follows in
  // part, so that all images correlate a little and the groups differ only in the rest.
  const tissue = randomField(rng, H, W, smooth * 1.5);
  for (let g = 0; g < G; g++) {
    // A logistic squash of the field: soft-edged blobs covering about half the image.
    const f = randomField(rng, H, W, smooth);
    for (let p = 0; p < N; p++) patterns[g * N + p] = 1 / (1 + Math.exp(-2.5 * (shared * tissue[p]! + (1 - shared) * f[p]!)));
  }
  // Balanced groups in a shuffled order.
  const groups = Int32Array.from({ length: n }, (_, i) => i % G);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [groups[i], groups[j]] = [groups[j]!, groups[i]!];
  }
  const mz = Float64Array.from({ length: n }, () => rng.uniform(mzMin, mzMax)).sort();
  const images = new Float32Array(n * N);
  const params: Array<{ gamma: number; amplitude: number; background: number; second: number; overlap: number }> = [];
  // With difficulty > 0 the response to the pattern is non-linear in a wider range (ion
  // suppression, detector saturation): gamma from 0.7-1.4 widens towards 0.4-2.5.
  const gLo = Math.exp(Math.log(0.7) * (1 + 0.6 * level)), gHi = Math.exp(Math.log(1.4) * (1 + 0.8 * level));
  for (let i = 0; i < n; i++) {
    const gamma = rng.uniform(gLo, gHi), amplitude = Math.exp(rng.uniform(Math.log(0.3), 0)), background = rng.uniform(0.02, 0.15);
    const second = G > 1 ? (groups[i]! + 1 + rng.int(G - 1)) % G : groups[i]!;
    const w2 = rng.uniform(0, overlap);
    params.push({ gamma, amplitude, background, second, overlap: w2 });
    const pat = patterns.subarray(groups[i]! * N, (groups[i]! + 1) * N), pat2 = patterns.subarray(second * N, (second + 1) * N);
    let max = 0;
    for (let p = 0; p < N; p++) {
      const mixed = (1 - w2) * pat[p]! + w2 * pat2[p]!;
      const clean = amplitude * (background + mixed ** gamma) * rng.lognormal(noise);
      const v = counts > 0 ? rng.poisson(clean * counts) : clean;
      images[i * N + p] = v;
      max = Math.max(max, v);
    }
    for (let p = 0; p < N; p++) if (missing > 0 && rng.next() < missing) images[i * N + p] = 0;
    for (let h = 0; h < hotspots; h++) images[i * N + rng.int(N)] = Math.max(max, 1) * rng.uniform(5, 30);
  }
  return {
    width: W,
    height: H,
    n,
    images,
    groups,
    mz,
    patterns,
    describe: () => ({
      kind: 'msinet-ion-stack',
      options: { seed, width: W, height: H, groups: G, images: n, noise, counts, mzMin, mzMax, smoothness: smooth, difficulty, shared, overlap, missing, hotspots },
      images: params.map((q, i) => ({ index: i, mz: mz[i], group: groups[i], ...q })),
    }),
  };
}
