// Every option of `msinet segment`, parsed and checked before any file is read or the GPU is
// touched: a typo must cost the user a second, not a training run. The model's own checks
// (validateSegmentOptions) run here too, on the same values segment() will get.
import { DEFAULT_MAX_SPECTRUM_POINTS } from '../io/imzml/reader.ts';
import { DEFAULT_MAX_BINS, DEFAULT_MAX_GRID_PIXELS, type PreprocessOptions } from '../io/preprocess.ts';
import { SEGMENT_PREPROCESS_DEFAULTS as P } from '../io/preprocess-defaults.ts';
import { SEGMENT_DEFAULTS as D } from '../model/defaults.ts';
import { validateSegmentOptions, type SegmentOptions } from '../model/segment.ts';
import { SPARSE_MODES } from '../model/sparse.ts';
import { UserError } from './errors.ts';
import { parseChoice, parseInteger, parseNumber, parseSeed } from './options.ts';
import { parseShape } from './segment-input.ts';

export type RawOptions = Record<string, string | boolean | undefined>;

export interface SegmentPlan {
  input: string;
  kind: 'npy' | 'imzml';
  out: string;
  quiet: boolean;
  shape: [number, number] | null;
  truth?: string;
  preprocess: PreprocessOptions;
  maxSpectrumPoints: number;
  /** What segment() gets (truth and progress are added once known). */
  model: SegmentOptions;
}

/** Files `msinet segment` writes into its output folder. */
export const SEGMENT_OUTPUTS = ['labels.npy', 'segmentation.png', 'segments.csv', 'confidence.npy', 'confidence.png', 'report.json'] as const;

function str(o: RawOptions, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

export function parseSegmentOptions(input: string, o: RawOptions): SegmentPlan {
  const lower = input.toLowerCase();
  const kind = lower.endsWith('.imzml') ? 'imzml' : lower.endsWith('.npy') ? 'npy' : null;
  if (!kind) throw new UserError(`${input}: unknown input type (expected .npy or .imzML)`);
  const out = o.out;
  if (typeof out !== 'string' || out.trim() === '') throw new UserError(`--out must name a folder, got "${String(out ?? '')}"`);
  const truth = str(o, 'truth');
  if (truth !== undefined && truth.trim() === '') throw new UserError('--truth must name a file, got ""');
  const model: SegmentOptions = {
    seed: parseSeed(o.seed ?? String(D.seed)),
    maxIter: parseInteger('max-iter', o.maxIter ?? String(D.maxIter), { min: 1 }),
    minLabels: o.minLabels === 'auto' ? 'auto' : parseInteger('min-labels', o.minLabels ?? String(D.minLabels), { min: 1 }),
    channels: parseInteger('channels', o.channels ?? String(D.channels), { min: 1, max: 1024 }),
    restarts: parseInteger('restarts', o.restarts ?? String(D.restarts), { min: 1, max: 100 }),
    refine: parseNumber('refine', o.refine ?? String(D.refine), { min: 0 }),
    finalLabels: parseChoice('final-labels', o.finalLabels ?? D.finalLabels, ['forward', 'stop'] as const),
    superpixels: parseChoice('superpixels', o.superpixels ?? D.superpixels, ['felzenszwalb', 'slic'] as const),
    nSegments: parseInteger('n-segments', o.nSegments ?? String(D.nSegments), { min: 1 }),
    compactness: parseNumber('compactness', o.compactness ?? String(D.compactness), { above: 0 }),
    reduce: parseChoice('reduce', o.reduce ?? D.reduce, ['pca', 'umap', 'none'] as const),
    contrast: parseChoice('contrast', o.contrast ?? D.contrast, ['patch', 'infonce'] as const),
    temperature: parseNumber('temperature', o.temperature ?? String(D.temperature), { above: 0 }),
    inputScale: parseNumber('input-scale', o.inputScale ?? String(D.inputScale), { above: 0 }),
    sparse: parseChoice('sparse', o.sparse ?? D.sparse, SPARSE_MODES),
    tic: kind === 'npy' && Boolean(o.tic),
    // .npy features can be anything (scores, signed values): no square root unless asked.
    sqrt: kind === 'npy' && o.sqrt === true,
  };
  try {
    validateSegmentOptions(model);
  } catch (e) {
    throw new UserError((e as Error).message);
  }
  const preprocess: PreprocessOptions = {
    binWidth: parseNumber('bin-width', o.binWidth ?? String(P.binWidth), { above: 0 }),
    binUnit: parseChoice('bin-unit', o.binUnit ?? P.binUnit, ['da', 'ppm'] as const),
    topK: parseInteger('top-k', o.topK ?? String(P.topK), { min: 1 }),
    select: parseChoice('select', o.select ?? P.select, ['mean', 'variance'] as const),
    normalize: parseChoice('normalize', o.normalize ?? P.normalize, ['tic', 'rms', 'none'] as const),
    // --sqrt / --no-sqrt; imzML spectra take the square root by default.
    transform: o.sqrt === false ? 'none' : o.sqrt === true ? 'sqrt' : P.transform,
    maxBins: parseInteger('max-bins', o.maxBins ?? String(DEFAULT_MAX_BINS), { min: 1, max: 2 ** 30 }),
    maxGridPixels: parseInteger('max-grid-pixels', o.maxGridPixels ?? String(DEFAULT_MAX_GRID_PIXELS), { min: 1, max: 2 ** 28 }),
    ...(o.ticThreshold !== undefined ? { ticThreshold: parseNumber('tic-threshold', o.ticThreshold) } : {}),
  };
  return {
    input,
    kind,
    out,
    quiet: Boolean(o.quiet),
    shape: parseShape(str(o, 'shape')),
    ...(truth !== undefined ? { truth } : {}),
    preprocess,
    maxSpectrumPoints: parseInteger('max-spectrum-points', o.maxSpectrumPoints ?? String(DEFAULT_MAX_SPECTRUM_POINTS), { min: 1, max: 2 ** 31 }),
    model,
  };
}
