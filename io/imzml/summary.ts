// One full pass over an imzML file: per-spectrum statistics (points, TIC, m/z range) and the
// file summary `msinet info` prints. Spectra are read a few at a time so I/O overlaps decoding,
// and only per-spectrum numbers are kept, so memory stays flat for any file size.
import type { ImzmlReader } from './reader.ts';
import type { ImzmlMode, NumericDtype } from './types.ts';

export interface SpectrumStats {
  x: number;
  y: number;
  n_points: number;
  /** Total ion current: sum of intensities. */
  tic: number;
  /** null for an empty spectrum. */
  mz_min: number | null;
  mz_max: number | null;
}

export interface MinMedianMax {
  min: number;
  median: number;
  max: number;
}

export interface ImzmlSummary {
  file: string;
  ibd: string;
  ibd_bytes: number;
  mode: ImzmlMode;
  width: number;
  height: number;
  n_spectra: number;
  pixels_present: number;
  max_x: number;
  max_y: number;
  pixel_size: number | null;
  /** Distinct dtypes / compressions, joined with "," if mixed. */
  dtypes: { mz: string; intensity: string };
  compression: { mz: string; intensity: string };
  mz_min: number | null;
  mz_max: number | null;
  points: MinMedianMax;
  tic: MinMedianMax;
  uuid: string | null;
  spectra?: SpectrumStats[];
}

function minMedianMax(values: Float64Array): MinMedianMax {
  const s = values.slice().sort();
  const n = s.length;
  const median = n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
  return { min: s[0]!, median, max: s[n - 1]! };
}

function distinct<T>(n: number, get: (i: number) => T): string {
  const seen = new Set<T>();
  for (let i = 0; i < n; i++) seen.add(get(i));
  return [...seen].join(',');
}

/** Number of distinct (x, y) among the spectra. */
function distinctPixels(file: ImzmlReader): number {
  const { table, count, width } = file;
  const keys = new Float64Array(count);
  for (let i = 0; i < count; i++) keys[i] = (table.y[i]! - 1) * width + (table.x[i]! - 1);
  keys.sort();
  let d = count > 0 ? 1 : 0;
  for (let i = 1; i < count; i++) if (keys[i] !== keys[i - 1]) d++;
  return d;
}

export async function summarizeImzml(
  file: ImzmlReader,
  opts: { spectra?: boolean; concurrency?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<ImzmlSummary> {
  const n = file.count;
  const points = new Float64Array(n);
  const tics = new Float64Array(n);
  const mzMin = new Float64Array(n);
  const mzMax = new Float64Array(n);
  // Continuous files share one m/z array: its range is computed once per distinct offset.
  let lastMz: { offset: number; min: number; max: number } | null = null;

  const one = async (i: number) => {
    const mzOffset = file.table.mzOffset[i]!;
    const intensity = await file.readIntensity(i);
    let tic = 0;
    for (let j = 0; j < intensity.length; j++) tic += intensity[j]!;
    let range = file.mode === 'continuous' && lastMz?.offset === mzOffset ? lastMz : null;
    if (!range) {
      const mz = await file.readMz(i);
      let lo = Infinity;
      let hi = -Infinity;
      for (let j = 0; j < mz.length; j++) {
        const v = mz[j]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      range = { offset: mzOffset, min: lo, max: hi };
      if (file.mode === 'continuous') lastMz = range;
    }
    points[i] = intensity.length;
    tics[i] = tic;
    mzMin[i] = range.min;
    mzMax[i] = range.max;
  };

  // A small window of reads in flight; results land by index, so order does not matter.
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      await one(i);
      done++;
      if (opts.onProgress && (done % 256 === 0 || done === n)) opts.onProgress(done, n);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));

  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    if (points[i]! > 0 && mzMin[i]! < lo) lo = mzMin[i]!;
    if (points[i]! > 0 && mzMax[i]! > hi) hi = mzMax[i]!;
  }
  const t = file.table;
  const fmtName = (i: number, f: Uint8Array) => (['f32', 'f64', 'i32', 'i64'] as NumericDtype[])[f[i]! & 3]!;
  const summary: ImzmlSummary = {
    file: file.headerSource.name,
    ibd: file.source.name,
    ibd_bytes: file.source.size,
    mode: file.mode,
    width: file.width,
    height: file.height,
    n_spectra: n,
    pixels_present: distinctPixels(file),
    max_x: file.maxX,
    max_y: file.maxY,
    pixel_size: file.pixelSize ?? null,
    dtypes: { mz: distinct(n, (i) => fmtName(i, t.mzFormat)), intensity: distinct(n, (i) => fmtName(i, t.intFormat)) },
    compression: {
      mz: distinct(n, (i) => (t.mzFormat[i]! & 4 ? 'zlib' : 'none')),
      intensity: distinct(n, (i) => (t.intFormat[i]! & 4 ? 'zlib' : 'none')),
    },
    mz_min: Number.isFinite(lo) ? lo : null,
    mz_max: Number.isFinite(hi) ? hi : null,
    points: minMedianMax(points),
    tic: minMedianMax(tics),
    uuid: file.uuid,
  };
  if (opts.spectra) {
    summary.spectra = Array.from({ length: n }, (_, i) => ({
      x: t.x[i]!,
      y: t.y[i]!,
      n_points: points[i]!,
      tic: tics[i]!,
      mz_min: points[i]! > 0 ? mzMin[i]! : null,
      mz_max: points[i]! > 0 ? mzMax[i]! : null,
    }));
  }
  return summary;
}
