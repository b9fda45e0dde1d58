// Turns what the user gave the page into segment()'s input, in the worker: an imzML pair read
// in slices from its Files (never whole), a .npy (read whole: it is the feature matrix itself),
// or the simulator behind the imzML interface. The same steps as `msinet segment`'s loader.
import { featureGrid } from '../io/feature-grid.ts';
import { openImzmlFromBlobs } from '../io/imzml/blob-source.ts';
import type { ImzmlFile } from '../io/imzml/types.ts';
import { npyFeatureMatrix } from '../io/npy-features.ts';
import { parseNpy } from '../io/npy.ts';
import { preprocessImzml } from '../io/preprocess.ts';
import { simulatedImzml } from '../io/simulated-file.ts';
import { simulateMsi } from '../io/simulator.ts';
import { InputError } from '../model/features.ts';
import type { SegmentInput } from '../model/segment.ts';
import type { Binning, Source } from './messages.ts';

export interface Loaded {
  input: SegmentInput;
  /** m/z per feature column for imzML input. */
  mz: Float64Array | null;
  /** Kept open for the ion-image viewer; closed by the next run. */
  file: ImzmlFile | null;
}

/**
 * select: how the top m/z bins are chosen (`msinet segment`'s default, variance, unless given; `msinet coloc` keeps the largest mean).
 * sqrt: the square root of the binned intensities (the segment tab's default; coloc leaves it off, as `msinet coloc`).
 */
export async function loadInput(source: Source, o: Binning & { select?: 'mean' | 'variance'; sqrt?: boolean }, onRead: (done: number, total: number) => void): Promise<Loaded> {
  if (source.kind === 'npy') {
    const m = npyFeatureMatrix(parseNpy(new Uint8Array(await source.file.arrayBuffer()), source.file.name), source.file.name);
    let height = m.height, width = m.width;
    if (height === undefined || width === undefined) {
      if (!source.shape) throw new InputError(`${source.file.name} is a (${m.n}, ${m.c}) matrix: type the image size (height, width)`);
      [height, width] = source.shape;
    }
    if (height * width !== m.n) throw new InputError(`${height} x ${width} makes ${height * width} pixels but ${source.file.name} has ${m.n} rows`);
    return { input: { features: m.x, height, width, channels: m.c }, mz: null, file: null };
  }
  const file =
    source.kind === 'imzml'
      ? await openImzmlFromBlobs(source.header, source.ibd)
      : simulatedImzml(simulateMsi({ seed: source.seed, width: source.width, height: source.height, regions: 4, mode: 'processed' }), 'simulated example');
  const fm = await preprocessImzml(file, {
    topK: o.topK,
    select: o.select ?? 'variance',
    binWidth: o.binWidth,
    binUnit: o.binUnit,
    normalize: o.normalize,
    transform: o.sqrt ? 'sqrt' : 'none',
    onProgress: onRead,
  });
  return { input: featureGrid(fm), mz: fm.mzValues, file };
}

/** Summed intensity in [mz - tolerance, mz + tolerance] per pixel, one pass over the spectra. */
export async function ionImage(file: ImzmlFile, mz: number, tolerance: number): Promise<Float32Array> {
  const img = new Float32Array(file.width * file.height);
  const infos = file.spectra;
  for (let i = 0; i < infos.length; i++) {
    const s = await file.readSpectrum(i);
    let sum = 0;
    for (let k = 0; k < s.mz.length; k++) if (Math.abs(s.mz[k]! - mz) <= tolerance) sum += s.intensity[k]!;
    img[(infos[i]!.y - 1) * file.width + infos[i]!.x - 1] = sum;
  }
  return img;
}
